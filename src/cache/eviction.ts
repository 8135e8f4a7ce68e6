export interface EvictionCandidate {
  readonly name: string;
  readonly bytes: number;
  /** Wall-clock milliseconds of the last time the entry was played (or written). */
  readonly lastPlayedMs: number;
  /** Entries being read are never evicted, even when that leaves the cache over its bound for a while. */
  readonly inUse: boolean;
}

/**
 * The entries to remove so the total fits in `maxBytes`: least recently played first (ties by name, so
 * the choice is stable), skipping entries in use. Returns fewer than needed when only entries in use remain.
 */
export function chooseEvictions(entries: readonly EvictionCandidate[], maxBytes: number): string[] {
  let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  if (total <= maxBytes) return [];
  const oldestFirst = entries
    .filter((entry) => !entry.inUse)
    .sort((a, b) => a.lastPlayedMs - b.lastPlayedMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const victims: string[] = [];
  for (const entry of oldestFirst) {
    if (total <= maxBytes) break;
    victims.push(entry.name);
    total -= entry.bytes;
  }
  return victims;
}

import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RelayClient, SongResolution } from '../../relay-client/index.js';
import { locationToRef, parseM3u } from '../../m3u/index.js';
import { isPlaylistRef, isSongRef } from '../../refs/index.js';
import { failed, ok, type Result } from '../../result.js';
import type { SongMeta } from '../../store/index.js';
import { validateName } from '../../store/validate.js';
import { CliError, EXIT, usageError } from '../cli-error.js';
import { NO_PROGRESS, progressBar, type Progress } from '../progress.js';
import { action, confirm, plural, subcommand } from './command-kit.js';
import { MAX_STDIN_BYTES, readStdin } from './input.js';
import { addRelayOptions, type ConnectionFlags } from './options.js';
import { note, printJson, printLines } from './output.js';
import { withRelay, withStore } from './session.js';

/** Songs resolved at once: enough to import 500 songs in seconds, few enough to be gentle on the relay. */
export const RESOLVE_CONCURRENCY = 8;

type Flags = ConnectionFlags & { replace?: boolean; localRoot?: string; json?: boolean; progress?: boolean; quiet?: boolean };

/** One entry of the source, in source order. */
interface Candidate {
  /** 1-based index in the source. */
  readonly index: number;
  /** M3U line number, when the source is a file. */
  readonly line?: number;
  readonly location: string;
  /** The song ref, or why the entry is none. */
  readonly entry: Result<string, string>;
}

interface Skipped {
  readonly index: number;
  readonly line?: number;
  readonly location: string;
  readonly ref?: string;
  readonly reason: string;
  readonly message: string;
}

async function readM3uSource(source: string): Promise<string> {
  if (source === '-') return readStdin();
  let size: number;
  try {
    size = (await stat(source)).size;
  } catch (error) {
    throw usageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (size > MAX_STDIN_BYTES) throw usageError(`${source} is larger than ${MAX_STDIN_BYTES} bytes`);
  return readFile(source, 'utf8');
}

/** The import's bars: on a terminal, unless --no-progress or --json (whose reader wants the summary alone). */
function importProgress(flags: Flags, label: string): Promise<Progress> {
  return flags.progress === false || flags.json ? Promise.resolve(NO_PROGRESS) : progressBar(label);
}

async function candidatesOf(source: string, relay: RelayClient, flags: Flags): Promise<Candidate[]> {
  if (isPlaylistRef(source)) {
    const bar = await importProgress(flags, 'listing');
    try {
      const listing = await relay.listAllSongs(source, ({ fetched, total }) => bar.update(fetched, total));
      if (listing.truncated) note(`relaycast: ${source} has ${listing.total} songs; importing the first ${listing.songs.length}`);
      return listing.songs.map((song, i) => ({
        index: i + 1,
        location: song.ref,
        entry: isSongRef(song.ref) ? ok(song.ref) : failed('the relay listed a ref relaycast does not accept'),
      }));
    } finally {
      bar.stop();
    }
  }
  if (source !== '-' && !/\.m3u8?$/i.test(source)) {
    throw usageError(
      `cannot import ${JSON.stringify(source)}: expected netease:playlist:<id>, qq:playlist:<id>, local:playlist:<name>, an .m3u/.m3u8 file or - for stdin`,
    );
  }
  const entries = parseM3u(await readM3uSource(source));
  const options = flags.localRoot === undefined ? {} : { localRoot: flags.localRoot };
  return entries.map(({ line, location }, i) => ({ index: i + 1, line, location, entry: locationToRef(location, options) }));
}

/** Resolves each distinct ref once, RESOLVE_CONCURRENCY at a time. A relay outage aborts the import. */
async function resolveAll(refs: readonly string[], relay: RelayClient, flags: Flags): Promise<Map<string, SongResolution>> {
  const results = new Map<string, SongResolution>();
  const bar = await importProgress(flags, 'resolving');
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < refs.length) {
      const ref = refs[next] as string;
      next += 1;
      results.set(ref, await relay.resolveSong(ref));
      done += 1;
      bar.update(done, refs.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(RESOLVE_CONCURRENCY, refs.length) }, worker));
  } finally {
    bar.stop();
  }
  return results;
}

function describeSkipped(skipped: Skipped): string {
  const where = skipped.line === undefined ? `#${skipped.index}` : `line ${skipped.line}`;
  return `  ${where} ${skipped.ref ?? skipped.location}: ${skipped.reason}${skipped.message ? ` (${skipped.message})` : ''}`;
}

export function registerPlaylistImport(group: Command): void {
  const command = subcommand(
    group,
    'import <playlist> <source>',
    'import songs from a music service playlist or an M3U file, resolving each through the relay',
    'relaycast playlist import evening netease:playlist:2829883282',
    'relaycast playlist import evening qq:playlist:7039374453 --replace',
    'relaycast playlist import jazz ./jazz.m3u8 --local-root /srv/music',
    'relaycast playlist export evening | relaycast playlist import copy -',
  );
  addRelayOptions(command)
    .option('--replace', 'replace the playlist content instead of appending to it')
    .option('--local-root <folder>', "absolute M3U paths under this folder become local:<relative path> (the relay's music folder)")
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--json', 'print the summary as JSON')
    .option('-q, --quiet', 'print only the songs that could not be imported')
    .addHelpText(
      'after',
      `
Sources: a playlist ref (netease:playlist:<id>, qq:playlist:<id>, local:playlist:<name>), an .m3u/.m3u8
file, or - for M3U on stdin. M3U lines may be song refs (qq:<songmid>, netease:<id>, local:<path>) or
file paths: relative paths are songs of the relay's music folder (local:<path>); absolute paths only
under --local-root; URLs are refused. #EXTINF lines are read but the relay's metadata wins.

Every song is resolved through the relay first. Songs it cannot play (no rights, delisted, preview
only, bad lines) are NOT added, like mpc adds only valid songs; they are listed with the reason, and the
rest keep their order. The playlist is created if missing and written in one step: if the relay or
Redis fails midway, nothing changes. Exit 0 when at least one song was imported.
`,
    )
    .action(
      action(async (flags: Flags, name: string, source: string) => {
        validateName('playlist', name);
        const { songMetaOf } = await import('../../store/index.js');
        await withRelay(flags, async (relay) => {
          const candidates = await candidatesOf(source, relay, flags);
          if (candidates.length === 0) throw usageError(`${source === '-' ? 'stdin' : source} holds no songs`);
          const refs = [...new Set(candidates.flatMap(({ entry }) => (entry.ok ? [entry.value] : [])))];
          const resolutions = await resolveAll(refs, relay, flags);

          const added: string[] = [];
          /** Added refs that play through a match on the other service, and the ref each plays from. */
          const matched: { ref: string; playsFrom: string }[] = [];
          const metas = new Map<string, SongMeta>();
          const skipped: Skipped[] = [];
          for (const candidate of candidates) {
            const base = { index: candidate.index, location: candidate.location, ...(candidate.line !== undefined && { line: candidate.line }) };
            const { entry } = candidate;
            if (!entry.ok) {
              skipped.push({ ...base, reason: 'invalid-entry', message: entry.failure });
              continue;
            }
            // resolveAll resolved every ref of an entry that is one.
            const resolution = resolutions.get(entry.value) as SongResolution;
            if (!resolution.ok) {
              skipped.push({ ...base, ref: entry.value, reason: resolution.failure.reason, message: resolution.failure.message });
            } else {
              added.push(entry.value);
              metas.set(entry.value, songMetaOf(resolution.value));
              const { matchedFrom } = resolution.value;
              if (matchedFrom) matched.push({ ref: entry.value, playsFrom: matchedFrom.ref });
            }
          }
          if (added.length === 0) {
            printLines(skipped.map(describeSkipped));
            throw new CliError(EXIT.failure, `none of the ${plural(candidates.length)} could be imported: playlist ${name} unchanged`);
          }

          const length = await withStore(flags, async (store) => {
            const total = await store.playlists.import(name, added, { mode: flags.replace ? 'replace' : 'append', create: true });
            // Display data for listings; the playlist is already written, so a failure here only costs metadata.
            await Promise.all([...metas].map(([ref, meta]) => store.caches.putSongMeta(ref, meta).catch(() => undefined)));
            return total;
          });

          if (flags.json) {
            printJson({ playlist: name, source, added: added.length, direct: added.length - matched.length, matched, skipped, length });
            return;
          }
          const how = matched.length === 0 ? '' : `: ${added.length - matched.length} play directly, ${matched.length} through a match on the other service`;
          confirm(flags, `imported ${added.length} of ${plural(candidates.length)} into ${name} (${plural(length)} in all)${how}`);
          if (matched.length > 0 && !flags.quiet) printLines([`through a match (${matched.length}):`, ...matched.map(({ ref, playsFrom }) => `  ${ref} plays from ${playsFrom}`)]);
          if (skipped.length > 0) printLines([`not imported (${skipped.length}):`, ...skipped.map(describeSkipped)]);
        });
      }),
    );
}

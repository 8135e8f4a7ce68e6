import { parseListeners } from '../icecast/index.js';

/** Listener counts are asked of Icecast at most this often per process, whatever the scrape rate. */
export const LISTENERS_POLL_MS = 10_000;
/** A status page that takes longer is given up: the scrape answers without listener counts. */
const STATUS_TIMEOUT_MS = 2_000;
/** Icecast's status of a few hundred mounts is well under this. */
const MAX_STATUS_BYTES = 2 * 1024 * 1024;

export type FetchStatus = (url: string, signal: AbortSignal) => Promise<string>;

export interface IcecastListenersOptions {
  /** ICECAST_URL: the public /status-json.xsl is read, no credentials needed. */
  icecastUrl: string;
  now?: () => number;
  fetchStatus?: FetchStatus;
}

/**
 * Listeners per mount from Icecast's /status-json.xsl: one request for all the stations of the process,
 * made when metrics are scraped and at most every LISTENERS_POLL_MS; scrapes in between get the last answer.
 */
export class IcecastListeners {
  private readonly statusUrl: string;
  private readonly now: () => number;
  private readonly fetchStatus: FetchStatus;
  private last: { at: number; byMount: ReadonlyMap<string, number> | undefined } | undefined;
  private inFlight: Promise<ReadonlyMap<string, number> | undefined> | undefined;

  constructor(options: IcecastListenersOptions) {
    this.statusUrl = new URL('/status-json.xsl', options.icecastUrl).href;
    this.now = options.now ?? Date.now;
    this.fetchStatus = options.fetchStatus ?? fetchText;
  }

  /** Listeners by mount path; undefined when Icecast could not be read (the counts are then unknown, not 0). */
  async byMount(): Promise<ReadonlyMap<string, number> | undefined> {
    if (this.last && this.now() - this.last.at < LISTENERS_POLL_MS) return this.last.byMount;
    this.inFlight ??= this.poll().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async poll(): Promise<ReadonlyMap<string, number> | undefined> {
    let byMount: ReadonlyMap<string, number> | undefined;
    try {
      byMount = parseListeners(await this.fetchStatus(this.statusUrl, AbortSignal.timeout(STATUS_TIMEOUT_MS))) ?? undefined;
    } catch {
      byMount = undefined;
    }
    this.last = { at: this.now(), byMount };
    return byMount;
  }
}

async function fetchText(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`Icecast answered ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_STATUS_BYTES) throw new Error('Icecast status too large');
  return text;
}

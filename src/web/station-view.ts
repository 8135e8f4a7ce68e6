import { webCoverUrl, type NextSong, type PlayedSong, type SongMeta, type Station, type Store } from '../store/index.js';

/** Songs of the history a station's view carries. */
export const VIEW_HISTORY_LENGTH = 10;

/**
 * A recorded song this long past its duration is over: its worker stopped before it could record the end.
 * The same rule as `relaycast now`.
 */
export const FINISHED_AFTER_MS = 5_000;

export interface SongView {
  readonly ref: string;
  readonly title: string;
  readonly artist: string;
  readonly album: string | null;
  /** An http(s) image of the cover, null when the song has none (local songs, older records). */
  readonly coverUrl: string | null;
  readonly durationMs: number | null;
}

export interface PlayingView extends SongView {
  /** Epoch ms when the song went on air. */
  readonly startedAt: number;
  readonly elapsedMs: number;
}

export interface PlayedView extends SongView {
  readonly startedAt: number;
}

/** What `/api/stations/<name>` answers and each `now-playing` event carries. */
export interface StationView {
  readonly name: string;
  readonly mount: string;
  /** Where listeners play the station: ICECAST_PUBLIC_URL with the mount. */
  readonly streamUrl: string;
  /** Null between songs, or when no worker plays the station. */
  readonly playing: PlayingView | null;
  readonly next: SongView | null;
  /** The last songs played, newest first (the one playing included once it is recorded). */
  readonly history: readonly PlayedView[];
  /** Null when Icecast could not be asked. */
  readonly listeners: number | null;
}

export interface ViewInputs {
  readonly station: Station;
  readonly playing: PlayedSong | null;
  readonly next: NextSong | null;
  /** Display data of the next song, when the caches know it. */
  readonly nextMeta: SongMeta | undefined;
  readonly history: readonly PlayedSong[];
  /** Listeners per mount; null when Icecast could not be asked. */
  readonly listeners: ReadonlyMap<string, number> | null;
  readonly now: number;
  readonly icecastPublicUrl: string;
}

/** The station's view from what the store holds: a pure function of its inputs. */
export function stationView(inputs: ViewInputs): StationView {
  const { station, playing, next, nextMeta, now } = inputs;
  return {
    name: station.name,
    mount: station.mount,
    streamUrl: streamUrlOf(inputs.icecastPublicUrl, station.mount),
    playing: onAir(playing, now),
    next: next ? songView({ ...nextMeta, ref: next.ref, title: nextMeta?.title ?? '', artist: nextMeta?.artist ?? '' }) : null,
    history: inputs.history.slice(0, VIEW_HISTORY_LENGTH).map((song) => ({ ...songView(song), startedAt: song.startedAt })),
    listeners: inputs.listeners === null ? null : (inputs.listeners.get(station.mount) ?? 0),
  };
}

/** The mount under the public base: `http://radio.example/` + `/jazz.mp3`. */
export function streamUrlOf(icecastPublicUrl: string, mount: string): string {
  return new URL(mount.replace(/^\/+/, ''), icecastPublicUrl).href;
}

function songView(song: SongMeta & { ref: string }): SongView {
  return {
    ref: song.ref,
    title: song.title,
    artist: song.artist,
    album: song.album || null,
    // The store reads back only http(s) covers; checked again here, where the URL becomes a page's <img>.
    coverUrl: webCoverUrl(song.coverUrl) ?? null,
    durationMs: song.durationMs ?? null,
  };
}

function onAir(playing: PlayedSong | null, now: number): PlayingView | null {
  if (!playing) return null;
  const elapsedMs = Math.max(0, now - playing.startedAt);
  if (playing.durationMs !== undefined && elapsedMs > playing.durationMs + FINISHED_AFTER_MS) return null;
  return { ...songView(playing), startedAt: playing.startedAt, elapsedMs };
}

/**
 * What tells two views apart for a listener: everything but the elapsed time, which changes every
 * millisecond. Events are sent only when this changes.
 */
export function viewKey(view: StationView): string {
  return JSON.stringify({ ...view, playing: view.playing && { ...view.playing, elapsedMs: 0 } });
}

/** Reads one station's view from the store (NotFoundError for an unknown station). */
export async function readStationView(
  store: Store,
  station: Station,
  listeners: ReadonlyMap<string, number> | null,
  options: { now: number; icecastPublicUrl: string },
): Promise<StationView> {
  const [playing, [next], history] = await Promise.all([
    store.playback.getNowPlaying(station.name),
    store.playback.peekNext(station.name, 1),
    store.playback.getHistory(station.name, { start: 0, end: VIEW_HISTORY_LENGTH }),
  ]);
  const nextMeta = next ? (await store.caches.getSongMetas([next.ref])).get(next.ref) : undefined;
  return stationView({ station, playing, next: next ?? null, nextMeta, history, listeners, ...options });
}

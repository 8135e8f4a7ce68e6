import type { EventEmitter } from 'node:events';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IcecastSourceState } from '../icecast/index.js';
import { CROSSFADE_OUTCOMES, type CrossfadeOutcome, type Station, type StationEvents, type TrackEndReason } from '../station/index.js';
import { IcecastListeners, type FetchStatus } from './icecast-listeners.js';

/** What the metrics read of a station: its events, and what it knows at any time. */
export type MeteredStation = Pick<Station, 'name' | 'mount' | 'onAir' | 'positionSeconds' | 'wantedSilenceSeconds'> & Pick<EventEmitter<StationEvents>, 'on' | 'once'>;

const STATION_LABELS = ['station', 'mount'] as const;
const TRACK_END_REASONS: readonly TrackEndReason[] = ['ended', 'failed', 'skipped'];
const LOOKUP_OUTCOMES = ['ok', 'refused', 'error'] as const;
const TRANSCODE_OUTCOMES = ['ok', 'failed', 'stopped'] as const;
/** Relay lookups: from a cached answer's milliseconds to past the worker's 8 s lookup budget. */
const LOOKUP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16];

type Labels = { station: string; mount: string };
type LookupOutcome = (typeof LOOKUP_OUTCOMES)[number];
type TranscodeOutcome = (typeof TRANSCODE_OUTCOMES)[number];

/** The labelled children of one running station, made once: its events then cost no label lookup. */
interface Watched {
  readonly station: MeteredStation;
  /** False once the station stopped: a late event must not bring its series back. */
  live: boolean;
  readonly labels: Labels;
  readonly started: Counter.Internal;
  readonly ended: Record<TrackEndReason, Counter.Internal>;
  readonly connects: Map<string, Counter.Internal>;
  readonly transcodeSeconds: Counter.Internal;
  readonly ffmpegRuns: Record<TranscodeOutcome, Counter.Internal>;
  readonly crossfades: Record<CrossfadeOutcome, Counter.Internal>;
}

export interface WorkerMetricsOptions {
  registry: Registry;
  /** ICECAST_URL: listener counts are read from its /status-json.xsl. */
  icecastUrl: string;
  now?: () => number;
  fetchStatus?: FetchStatus;
}

/** What the audio cache and the song cache report: the counts they keep anyway, read when scraped. */
export interface AudioCacheCounts {
  stats(): { entries: number; bytes: number; hits: number; misses: number; evictions: number };
}
export interface SongCacheCounts {
  readonly counters: { hits: number; misses: number };
}

/**
 * The worker's metrics. Per station (labels station and mount, so a station and a fallback feed of the same
 * name stay apart): events the station already emits feed counters through children made once per station;
 * what a station knows at any time (on air, position, silence sent) is read at scrape time, so the pacer's
 * per-frame path does nothing for metrics but one integer increment. A station's series go when it stops.
 */
export class WorkerMetrics {
  private readonly registry: Registry;
  private readonly stations = new Map<string, Watched>();
  private readonly listeners: IcecastListeners;
  private readonly songsStarted: Counter<'station' | 'mount'>;
  private readonly crossfades: Counter<'station' | 'mount' | 'outcome'>;
  private readonly songsEnded: Counter<'station' | 'mount' | 'reason'>;
  private readonly connects: Counter<'station' | 'mount' | 'outcome'>;
  private readonly transcodeSeconds: Counter<'station' | 'mount'>;
  private readonly ffmpegRuns: Counter<'station' | 'mount' | 'outcome'>;
  private readonly lookups: Record<LookupOutcome, Histogram.Internal<'outcome'>>;

  constructor(options: WorkerMetricsOptions) {
    const registry = options.registry;
    this.registry = registry;
    this.listeners = new IcecastListeners({
      icecastUrl: options.icecastUrl,
      ...(options.now ? { now: options.now } : {}),
      ...(options.fetchStatus ? { fetchStatus: options.fetchStatus } : {}),
    });
    const stations = () => this.stations.values();
    const listeners = this.listeners;
    new Gauge({
      name: 'relaycast_station_on_air',
      help: '1 while the station\'s source is streaming to Icecast (listeners hear it, not a fallback), else 0',
      labelNames: STATION_LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const { station, labels } of stations()) this.set(labels, station.onAir ? 1 : 0);
      },
    });
    new Counter({
      name: 'relaycast_station_wanted_silence_seconds_total',
      help: 'Seconds of silence the station sent while it wanted a song (one loading, or its audio late): the underrun listeners hear',
      labelNames: STATION_LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const { station, labels } of stations()) this.inc(labels, station.wantedSilenceSeconds);
      },
    });
    new Gauge({
      name: 'relaycast_station_song_position_seconds',
      help: 'Seconds of the song on air played so far; 0 while no song is on air',
      labelNames: STATION_LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const { station, labels } of stations()) this.set(labels, station.positionSeconds);
      },
    });
    new Gauge({
      name: 'relaycast_station_listeners',
      help: 'Listeners on the station\'s mount, from Icecast\'s /status-json.xsl (read at most every 10 s); absent when Icecast could not be read',
      labelNames: STATION_LABELS,
      registers: [registry],
      async collect() {
        this.reset();
        if (stations().next().done) return;
        const byMount = await listeners.byMount();
        if (!byMount) return;
        for (const { labels } of stations()) this.set(labels, byMount.get(labels.mount) ?? 0);
      },
    });
    this.songsStarted = new Counter({ name: 'relaycast_songs_started_total', help: 'Songs that went on air', labelNames: STATION_LABELS, registers: [registry] });
    this.songsEnded = new Counter({
      name: 'relaycast_songs_ended_total',
      help: 'Songs that left the programme, by reason: ended (played to the end), failed (could not be played or stalled), skipped (by an admin)',
      labelNames: [...STATION_LABELS, 'reason'],
      registers: [registry],
    });
    this.crossfades = new Counter({
      name: 'relaycast_crossfades_total',
      help: 'Crossfades between songs on stations that have one, by outcome: made, late (ready after it was due), failed (ffmpeg), none (a song too short or silent); all but made leave a gapless join',
      labelNames: [...STATION_LABELS, 'outcome'],
      registers: [registry],
    });
    this.connects = new Counter({
      name: 'relaycast_icecast_connects_total',
      help: 'Source connection attempts to Icecast by outcome: ok, auth (wrong source credentials), mount-in-use, rejected (another refusal), refused (nothing listening), network',
      labelNames: [...STATION_LABELS, 'outcome'],
      registers: [registry],
    });
    this.transcodeSeconds = new Counter({
      name: 'relaycast_transcode_seconds_total',
      help: 'Wall-clock seconds ffmpeg transcodes ran for the station (songs from the disk cache need none)',
      labelNames: STATION_LABELS,
      registers: [registry],
    });
    this.ffmpegRuns = new Counter({
      name: 'relaycast_ffmpeg_runs_total',
      help: 'ffmpeg transcodes that ended, by outcome: ok (to the song\'s end), failed (error or stall), stopped (skipped, or the station stopped)',
      labelNames: [...STATION_LABELS, 'outcome'],
      registers: [registry],
    });
    const lookups = new Histogram({
      name: 'relaycast_relay_request_duration_seconds',
      help: 'Song lookups past the caches (the relay, or the providers in the worker without RELAY_URL), by outcome: ok, refused (unplayable or a refusal), error',
      labelNames: ['outcome'],
      buckets: LOOKUP_BUCKETS,
      registers: [registry],
    });
    this.lookups = { ok: lookups.labels({ outcome: 'ok' }), refused: lookups.labels({ outcome: 'refused' }), error: lookups.labels({ outcome: 'error' }) };
  }

  /** Follows a station until it stops; a newer station under the same labels takes them over. */
  watchStation(station: MeteredStation): void {
    const labels = { station: station.name, mount: station.mount };
    const key = keyOf(labels);
    const watched: Watched = {
      station,
      live: true,
      labels,
      started: this.songsStarted.labels(labels),
      ended: { ended: this.songsEnded.labels({ ...labels, reason: 'ended' }), failed: this.songsEnded.labels({ ...labels, reason: 'failed' }), skipped: this.songsEnded.labels({ ...labels, reason: 'skipped' }) },
      connects: new Map(),
      transcodeSeconds: this.transcodeSeconds.labels(labels),
      ffmpegRuns: {
        ok: this.ffmpegRuns.labels({ ...labels, outcome: 'ok' }),
        failed: this.ffmpegRuns.labels({ ...labels, outcome: 'failed' }),
        stopped: this.ffmpegRuns.labels({ ...labels, outcome: 'stopped' }),
      },
      crossfades: Object.fromEntries(CROSSFADE_OUTCOMES.map((outcome) => [outcome, this.crossfades.labels({ ...labels, outcome })])) as Record<CrossfadeOutcome, Counter.Internal>,
    };
    // Present at 0 from the start, so a rate over the first song is not lost.
    for (const child of [watched.started, watched.transcodeSeconds, ...Object.values(watched.ended), ...Object.values(watched.ffmpegRuns), ...Object.values(watched.crossfades)]) child.inc(0);
    this.stations.set(key, watched);
    station.on('track-start', () => watched.live && watched.started.inc());
    station.on('track-end', (_song, reason) => watched.live && watched.ended[reason].inc());
    station.on('source-state', (state, previous) => watched.live && this.onSourceState(watched, state, previous));
    station.on('crossfade', (outcome) => watched.live && watched.crossfades[outcome].inc());
    station.once('stopped', () => this.forget(watched));
  }

  /** The station's ffmpeg runs, for its frame loader (made before the station itself). */
  transcodeReporter(name: string, mount: string): (seconds: number, outcome: TranscodeOutcome) => void {
    const key = keyOf({ station: name, mount });
    return (seconds, outcome) => {
      const watched = this.stations.get(key);
      if (!watched?.live) return;
      watched.transcodeSeconds.inc(seconds);
      watched.ffmpegRuns[outcome].inc();
    };
  }

  /** For the CachedResolver: one lookup that went past the caches. */
  readonly observeLookup = (seconds: number, outcome: LookupOutcome): void => {
    this.lookups[outcome].observe(seconds);
  };

  watchAudioCache(cache: AudioCacheCounts): void {
    const stats = () => cache.stats();
    this.pulledCounter('relaycast_audio_cache_hits_total', 'Songs played from the disk cache of transcoded audio', () => stats().hits);
    this.pulledCounter('relaycast_audio_cache_misses_total', 'Songs the disk cache did not have (or had damaged): downloaded and transcoded', () => stats().misses);
    this.pulledCounter('relaycast_audio_cache_evictions_total', 'Songs removed from the disk cache to stay under CACHE_MAX_MB', () => stats().evictions);
    this.pulledGauge('relaycast_audio_cache_bytes', 'Bytes of transcoded audio in the disk cache', () => stats().bytes);
    this.pulledGauge('relaycast_audio_cache_entries', 'Songs in the disk cache', () => stats().entries);
  }

  watchSongCache(cache: SongCacheCounts): void {
    this.pulledCounter('relaycast_song_cache_hits_total', 'Song lookups answered from Redis or memory without asking the relay', () => cache.counters.hits);
    this.pulledCounter('relaycast_song_cache_misses_total', 'Song lookups that had to ask the relay', () => cache.counters.misses);
  }

  watchRedis(isUp: () => boolean): void {
    this.pulledGauge('relaycast_redis_up', '1 while the worker\'s Redis connection is ready, else 0 (streaming goes on without it)', () => (isUp() ? 1 : 0));
  }

  private forget(watched: Watched): void {
    watched.live = false;
    const key = keyOf(watched.labels);
    if (this.stations.get(key) !== watched) return;
    this.stations.delete(key);
    const { labels } = watched;
    this.songsStarted.remove(labels);
    this.transcodeSeconds.remove(labels);
    for (const reason of TRACK_END_REASONS) this.songsEnded.remove({ ...labels, reason });
    for (const outcome of TRANSCODE_OUTCOMES) this.ffmpegRuns.remove({ ...labels, outcome });
    for (const outcome of CROSSFADE_OUTCOMES) this.crossfades.remove({ ...labels, outcome });
    for (const outcome of watched.connects.keys()) this.connects.remove({ ...labels, outcome });
  }

  private onSourceState(watched: Watched, state: IcecastSourceState, previous: IcecastSourceState): void {
    if (previous.status !== 'connecting') return;
    let outcome: string;
    if (state.status === 'streaming') outcome = 'ok';
    // The failure's kind (icecast/errors.ts): a fixed set, so the label cannot grow.
    else if (state.status === 'waiting') outcome = state.error.kind;
    else return; // stopped while connecting: no outcome
    let child = watched.connects.get(outcome);
    if (!child) {
      child = this.connects.labels({ ...watched.labels, outcome });
      watched.connects.set(outcome, child);
    }
    child.inc();
  }

  /** A counter whose value is kept elsewhere (a count the component keeps anyway), read at scrape time. */
  private pulledCounter(name: string, help: string, value: () => number): void {
    this.registry.removeSingleMetric(name);
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  }

  private pulledGauge(name: string, help: string, value: () => number): void {
    this.registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(value());
      },
    });
  }
}

function keyOf(labels: Labels): string {
  return `${labels.station}\n${labels.mount}`;
}

import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { IcecastAuthError, type IcecastSourceState } from '../../../src/icecast/index.js';
import { WorkerMetrics, type FetchStatus } from '../../../src/metrics/index.js';
import type { Song, StationEvents } from '../../../src/station/index.js';
import { parsePrometheusText, sampleOf } from '../../support/prometheus-text.js';

class FakeStation extends EventEmitter<StationEvents> {
  onAir = false;
  positionSeconds = 0;
  wantedSilenceSeconds = 0;
  constructor(
    readonly name: string,
    readonly mount: string,
  ) {
    super();
  }
}

const SONG: Song = { ref: 'local:a.mp3', title: 'A', artist: 'B' };
const CONNECTING: IcecastSourceState = { status: 'connecting', since: 0, attempt: 0 };

function setup(statusJson = '{"icestats":{}}') {
  const registry = new Registry();
  let now = 0;
  const polls: string[] = [];
  const fetchStatus: FetchStatus = async (url) => {
    polls.push(url);
    return statusJson;
  };
  const metrics = new WorkerMetrics({ registry, icecastUrl: 'http://127.0.0.1:8000', now: () => now, fetchStatus });
  const scrape = async () => parsePrometheusText(await registry.metrics());
  return { registry, metrics, scrape, polls, advance: (ms: number) => (now += ms) };
}

describe('WorkerMetrics', () => {
  it('counts a station\'s songs, endings and Icecast connects from the events it emits', async () => {
    const { metrics, scrape } = setup();
    const station = new FakeStation('main', '/radio.mp3');
    metrics.watchStation(station);
    station.emit('track-start', SONG);
    station.emit('track-start', SONG);
    station.emit('track-end', SONG, 'failed', new Error('x'));
    station.emit('source-state', { status: 'streaming', since: 1 }, CONNECTING);
    station.emit('source-state', { status: 'waiting', since: 2, attempt: 1, delayMs: 1000, error: new IcecastAuthError('/radio.mp3', 'source') }, CONNECTING);
    // Not a connect: a streaming source that lost its connection.
    station.emit('source-state', { status: 'connecting', since: 3, attempt: 1 }, { status: 'streaming', since: 1 });

    const labels = { station: 'main', mount: '/radio.mp3' };
    const families = await scrape();
    expect(sampleOf(families, 'relaycast_songs_started_total', labels).value).toBe(2);
    expect(sampleOf(families, 'relaycast_songs_ended_total', { ...labels, reason: 'failed' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_songs_ended_total', { ...labels, reason: 'ended' }).value).toBe(0);
    expect(sampleOf(families, 'relaycast_icecast_connects_total', { ...labels, outcome: 'ok' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_icecast_connects_total', { ...labels, outcome: 'auth' }).value).toBe(1);
    expect(families.get('relaycast_icecast_connects_total')!.samples).toHaveLength(2);
  });

  it('counts crossfades by outcome, each at 0 from the start', async () => {
    const { metrics, scrape } = setup();
    const station = new FakeStation('main', '/radio.mp3');
    const labels = { station: 'main', mount: '/radio.mp3' };
    metrics.watchStation(station);
    expect(sampleOf(await scrape(), 'relaycast_crossfades_total', { ...labels, outcome: 'failed' }).value).toBe(0);
    station.emit('crossfade', 'made');
    station.emit('crossfade', 'made');
    station.emit('crossfade', 'late');
    const families = await scrape();
    expect(sampleOf(families, 'relaycast_crossfades_total', { ...labels, outcome: 'made' }).value).toBe(2);
    expect(sampleOf(families, 'relaycast_crossfades_total', { ...labels, outcome: 'late' }).value).toBe(1);
  });

  it('reads on air, position and silence sent while a song was wanted at scrape time', async () => {
    const { metrics, scrape } = setup();
    const station = new FakeStation('main', '/radio.mp3');
    metrics.watchStation(station);
    const labels = { station: 'main', mount: '/radio.mp3' };
    expect(sampleOf(await scrape(), 'relaycast_station_on_air', labels).value).toBe(0);
    station.onAir = true;
    station.positionSeconds = 12.5;
    station.wantedSilenceSeconds = 3.25;
    const families = await scrape();
    expect(sampleOf(families, 'relaycast_station_on_air', labels).value).toBe(1);
    expect(sampleOf(families, 'relaycast_station_song_position_seconds', labels).value).toBe(12.5);
    expect(sampleOf(families, 'relaycast_station_wanted_silence_seconds_total', labels).value).toBe(3.25);
    expect(families.get('relaycast_station_wanted_silence_seconds_total')!.type).toBe('counter');
  });

  it('removes every series of a station once it has stopped, and a late event does not bring them back', async () => {
    const { metrics, scrape, registry } = setup();
    const kept = new FakeStation('kept', '/kept.mp3');
    const gone = new FakeStation('gone', '/gone.mp3');
    metrics.watchStation(kept);
    metrics.watchStation(gone);
    gone.emit('track-start', SONG);
    gone.emit('source-state', { status: 'streaming', since: 1 }, CONNECTING);
    metrics.transcodeReporter('gone', '/gone.mp3')(2, 'ok');
    expect(await registry.metrics()).toContain('station="gone"');

    gone.emit('stopped');
    gone.emit('track-end', SONG, 'ended', undefined);
    metrics.transcodeReporter('gone', '/gone.mp3')(1, 'stopped');
    const text = await registry.metrics();
    expect(text).not.toContain('station="gone"');
    expect(sampleOf(await scrape(), 'relaycast_songs_started_total', { station: 'kept' }).value).toBe(0);
  });

  it('keeps a newer station\'s series when an older one under the same labels stops after it started', async () => {
    const { metrics, registry } = setup();
    const old = new FakeStation('main', '/radio.mp3');
    const replacement = new FakeStation('main', '/radio.mp3');
    metrics.watchStation(old);
    metrics.watchStation(replacement);
    old.emit('stopped');
    replacement.emit('track-start', SONG);
    expect(await registry.metrics()).toContain('relaycast_songs_started_total{station="main",mount="/radio.mp3"} 1');
  });

  it('asks Icecast for listeners at most every 10 s, one request for all stations', async () => {
    const status = JSON.stringify({ icestats: { source: [{ listenurl: 'http://icecast.example:8000/a.mp3', listeners: 4 }, { listenurl: 'http://icecast.example:8000/other.mp3', listeners: 9 }] } });
    const { metrics, scrape, polls, advance } = setup(status);
    metrics.watchStation(new FakeStation('a', '/a.mp3'));
    metrics.watchStation(new FakeStation('b', '/b.mp3'));
    const families = await scrape();
    expect(sampleOf(families, 'relaycast_station_listeners', { station: 'a' }).value).toBe(4);
    expect(sampleOf(families, 'relaycast_station_listeners', { station: 'b' }).value).toBe(0);
    await scrape();
    advance(9_999);
    await scrape();
    expect(polls).toEqual(['http://127.0.0.1:8000/status-json.xsl']);
    advance(1);
    await scrape();
    expect(polls).toHaveLength(2);
  });

  it('leaves listeners out when Icecast cannot be read, rather than reporting 0', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics({ registry, icecastUrl: 'http://127.0.0.1:8000', fetchStatus: async () => { throw new Error('down'); } });
    metrics.watchStation(new FakeStation('a', '/a.mp3'));
    const families = parsePrometheusText(await registry.metrics());
    expect(families.get('relaycast_station_listeners')!.samples).toEqual([]);
  });

  it('reports ffmpeg runs, relay lookups, the caches and Redis from the counts their components keep', async () => {
    const { metrics, scrape } = setup();
    metrics.watchStation(new FakeStation('main', '/radio.mp3'));
    const report = metrics.transcodeReporter('main', '/radio.mp3');
    report(1.5, 'ok');
    report(0.5, 'failed');
    metrics.observeLookup(0.2, 'ok');
    metrics.observeLookup(3, 'error');
    const cacheStats = { entries: 2, bytes: 4096, hits: 5, misses: 3, evictions: 1 };
    metrics.watchAudioCache({ stats: () => cacheStats });
    metrics.watchSongCache({ counters: { hits: 7, misses: 2 } });
    let redisUp = true;
    metrics.watchRedis(() => redisUp);

    let families = await scrape();
    expect(sampleOf(families, 'relaycast_transcode_seconds_total', { station: 'main' }).value).toBe(2);
    expect(sampleOf(families, 'relaycast_ffmpeg_runs_total', { station: 'main', outcome: 'failed' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_relay_request_duration_seconds_count', { outcome: 'ok' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_relay_request_duration_seconds_bucket', { outcome: 'error', le: '2' }).value).toBe(0);
    expect(sampleOf(families, 'relaycast_relay_request_duration_seconds_bucket', { outcome: 'error', le: '4' }).value).toBe(1);
    expect(sampleOf(families, 'relaycast_audio_cache_hits_total').value).toBe(5);
    expect(sampleOf(families, 'relaycast_audio_cache_evictions_total').value).toBe(1);
    expect(sampleOf(families, 'relaycast_audio_cache_bytes').value).toBe(4096);
    expect(sampleOf(families, 'relaycast_song_cache_misses_total').value).toBe(2);
    expect(sampleOf(families, 'relaycast_redis_up').value).toBe(1);
    redisUp = false;
    cacheStats.hits = 6;
    families = await scrape();
    expect(sampleOf(families, 'relaycast_redis_up').value).toBe(0);
    expect(sampleOf(families, 'relaycast_audio_cache_hits_total').value).toBe(6);
  });

  it('gives every metric a relaycast_ name and help text', async () => {
    const { metrics, registry } = setup();
    metrics.watchAudioCache({ stats: () => ({ entries: 0, bytes: 0, hits: 0, misses: 0, evictions: 0 }) });
    metrics.watchSongCache({ counters: { hits: 0, misses: 0 } });
    metrics.watchRedis(() => true);
    const families = parsePrometheusText(await registry.metrics());
    expect(families.size).toBeGreaterThanOrEqual(17);
    for (const family of families.values()) {
      expect(family.name).toMatch(/^relaycast_/);
      expect(family.help.length).toBeGreaterThan(10);
    }
  });
});

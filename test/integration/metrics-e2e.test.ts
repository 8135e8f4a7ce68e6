import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen } from '../support/listener.js';
import { freePort } from '../support/ports.js';
import { requirePrograms } from '../support/prereq.js';
import { parsePrometheusText, sampleOf, type Family } from '../support/prometheus-text.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { makeTempDir } from '../support/tmp.js';
import { startWorker } from '../support/worker-process.js';

async function scrape(url: string): Promise<Map<string, Family>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** Scrapes until `ready` holds, at most `timeoutMs`. */
async function scrapeUntil(url: string, ready: (families: Map<string, Family>) => boolean, timeoutMs: number): Promise<Map<string, Family>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const families = await scrape(url);
    if (ready(families) || performance.now() > deadline) return families;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const valueOf = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) => {
  try {
    return sampleOf(families, name, labels).value;
  } catch {
    return undefined;
  }
};

describe('GET /metrics of a real worker and relay', () => {
  let icecast: IcecastServer;
  let redis: RedisServer;
  let relay: RelayProcess;
  let relayMetrics: string;
  let temp: { dir: string; remove: () => Promise<void> };

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'redis-server');
    temp = await makeTempDir('metrics-e2e');
    const musicDir = join(temp.dir, 'music');
    await mkdir(musicDir);
    await makeTone({ path: join(musicDir, 'alpha.m4a'), seconds: 3, frequency: 440, format: 'm4a', title: 'ALPHA', artist: 'Metrics' });
    await makeTone({ path: join(musicDir, 'bravo.m4a'), seconds: 3, frequency: 660, format: 'm4a', title: 'BRAVO', artist: 'Metrics' });
    icecast = await startIcecast();
    redis = await startRedis();
    const metricsPort = await freePort();
    relay = await startRelay(musicDir, { env: { METRICS_PORT: String(metricsPort) } });
    relayMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
  });

  afterAll(async () => {
    await relay?.stop();
    await redis?.stop();
    await icecast?.stop();
    await temp?.remove();
  });

  it('shows the station on air, its songs started, silence while a song was wanted, Redis up and relay lookups', async () => {
    const metricsPort = await freePort();
    const worker = await startWorker(
      {
        icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
        relay: { url: relay.url, token: relay.token },
        redis: { url: redis.url },
        cacheDir: join(temp.dir, 'cache'),
        stations: [{ name: 'metered', mount: '/metered.mp3', songs: ['local:alpha.m4a', 'local:bravo.m4a'] }],
      },
      { METRICS_PORT: String(metricsPort) },
    );
    try {
      const url = `http://127.0.0.1:${metricsPort}/metrics`;
      await icecast.waitForMount('/metered.mp3', 10_000);
      const listener = await listen(`${icecast.url}/metered.mp3`);
      const station = { station: 'metered', mount: '/metered.mp3' };
      const families = await scrapeUntil(url, (seen) => (valueOf(seen, 'relaycast_songs_started_total', station) ?? 0) >= 1, 20_000);
      listener.close();

      expect(valueOf(families, 'relaycast_station_on_air', station)).toBe(1);
      expect(valueOf(families, 'relaycast_songs_started_total', station)).toBeGreaterThanOrEqual(1);
      expect(families.get('relaycast_station_wanted_silence_seconds_total')?.type).toBe('counter');
      expect(valueOf(families, 'relaycast_station_wanted_silence_seconds_total', station)).toBeGreaterThanOrEqual(0);
      expect(valueOf(families, 'relaycast_icecast_connects_total', { ...station, outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(families, 'relaycast_redis_up')).toBe(1);
      expect(valueOf(families, 'relaycast_relay_request_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(families, 'relaycast_ffmpeg_runs_total', { ...station, outcome: 'ok' })).toBeDefined();
      expect(valueOf(families, 'relaycast_station_listeners', station)).toBeGreaterThanOrEqual(0);
      expect(valueOf(families, 'relaycast_audio_cache_misses_total')).toBeGreaterThanOrEqual(1);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    } finally {
      const stopped = await worker.stop();
      expect(stopped.code).toBe(0);
    }
    // Closed with the worker.
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });

  it('counts the relay\'s song requests by route and status', async () => {
    const songs = (families: Map<string, Family>) => valueOf(families, 'relaycast_relay_requests_total', { route: 'songs', status: '200' }) ?? 0;
    const before = songs(await scrape(relayMetrics));
    const answer = await fetch(`${relay.url}/v1/songs/${encodeURIComponent('local:alpha.m4a')}`, { headers: { authorization: `Bearer ${relay.token}` } });
    expect(answer.status).toBe(200);
    await answer.text();
    const after = await scrape(relayMetrics);
    expect(songs(after)).toBe(before + 1);
    expect((await fetch(relayMetrics.replace('/metrics', '/'))).status).toBe(404);
  });
});

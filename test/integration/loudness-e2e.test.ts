import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gainSteps } from '../../src/audio/index.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen, type Listener } from '../support/listener.js';
import { makeLoudTone, measureLoudness } from '../support/loudness.js';
import { requirePrograms } from '../support/prereq.js';
import { makeTempDir } from '../support/tmp.js';
import { wholeFrames } from '../support/whole-frames.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

/*
 * Loudness normalisation heard by a listener: four tones made at -30, -20, -8 and -16.2 LUFS play through a
 * real worker (real ffmpeg, disk cache) into a real Icecast; a listener decodes the mount and each song's
 * part is measured with ebur128. A song is measured in the transcode that caches it, which runs at full
 * speed ahead of play: the first song, wanted at once, plays as made; every later one, and the whole second
 * round from the cache, is normalised and judged.
 */
const SONG_SECONDS = 7;
const TARGET = -16;
const TONES = [
  { title: 'Quiet', lufs: -30, frequency: 330 },
  { title: 'Middle', lufs: -20, frequency: 440 },
  { title: 'Loud', lufs: -8, frequency: 550 },
  { title: 'Near', lufs: -16.2, frequency: 660 },
] as const;
/** Audio bytes per second at the station's 128 kb/s. */
const BYTES_PER_SECOND = 16_000;
/** Cut from each end of a song's part of the stream: titles reach the listener within a few hundred ms of the join. */
const EDGE_SECONDS = 1.5;

describe('loudness normalisation at a listener', () => {
  let icecast: IcecastServer;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'icecast2');
    icecast = await startIcecast();
    temp = await makeTempDir('loudness-e2e');
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await icecast?.stop();
    await temp?.remove();
  });

  it('brings tones at -30, -20 and -8 LUFS to within 1 dB of -16, on their first play when prepared ahead and from the cache, leaves one at -16.2 alone, without decode errors or clipping', async () => {
    const songs: string[] = [];
    for (const tone of TONES) {
      const path = join(temp.dir, `${tone.title}.mp3`);
      const made = await makeLoudTone({ path, seconds: SONG_SECONDS, frequency: tone.frequency, lufs: tone.lufs, title: tone.title });
      expect(Math.abs(made.lufs - tone.lufs), `${tone.title} made at ${made.lufs} LUFS`).toBeLessThanOrEqual(0.5);
      songs.push(path);
    }
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      stations: [{ name: 'loud', mount: '/loud.mp3', songs }],
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'debug',
    });
    await icecast.waitForMount('/loud.mp3', 10_000);
    const listener = await listen(`${icecast.url}/loud.mp3`, { icyMetadata: true });
    // Round 1 (measured, cached), round 2 (from the cache, normalised), and the first song of round 3 so the
    // last song of round 2 is whole. Bounded: two rounds are 56 s of audio.
    const seen = () => listener.titles.filter((title) => title.title !== '');
    await listener.waitForTitle(() => seen().length >= 2 * TONES.length + 1, 2 * TONES.length * SONG_SECONDS * 1000 + 30_000);
    listener.close();

    const titles = seen().map((title) => title.title);
    const firstQuiet = titles.indexOf('Quiet');
    expect(titles.slice(firstQuiet, firstQuiet + 2 * TONES.length + 1)).toEqual([...TONES, ...TONES, TONES[0]].map((tone) => tone.title));

    // What the worker decided, from its log: each song levelled by the figures its transcode measured (the
    // first song of round 1 excepted: wanted at once, it played while it was being measured).
    const decisions = worker.events.filter((event) => event.msg === 'song levelled by its measured loudness');
    const decided = TONES.map((_tone, index) => decisions.find((event) => event.song === songs[index]));
    for (const [index, event] of decided.entries()) {
      expect(event, TONES[index]!.title).toBeDefined();
      // The rule as the worker applied it to the figures its transcode measured (mp3 in, resampled: ~0.5 dB off the made level).
      expect(Number(event!.steps)).toBe(gainSteps(TARGET, { integratedLufs: Number(event!.lufs), truePeakDb: Number(event!.truePeakDb) }));
    }
    expect(decided.map((event) => Math.sign(Number(event!.steps)))).toEqual([1, 1, -1, 0]);

    // Round 2 from the cache; round 1 too, but for its first song: each later one was prepared ahead, so its
    // transcode into the cache had measured it before it was wanted.
    const round1 = seen().slice(firstQuiet, firstQuiet + TONES.length + 1);
    const round2 = seen().slice(firstQuiet + TONES.length, firstQuiet + 2 * TONES.length + 1);
    const audio = listener.audio();
    const plays = [...TONES.map((tone, index) => ({ tone, index, round: round2 })), ...TONES.slice(1).map((tone, index) => ({ tone, index: index + 1, round: round1 }))];
    for (const { tone, index, round } of plays) {
      const from = byteOffsetAt(listener, round[index]!.at) + EDGE_SECONDS * BYTES_PER_SECOND;
      const to = byteOffsetAt(listener, round[index + 1]!.at) - EDGE_SECONDS * BYTES_PER_SECOND;
      expect(to - from, `${tone.title}: part of the stream`).toBeGreaterThan(2 * BYTES_PER_SECOND);
      const heard = await measureLoudness(await wholeFrames(audio.subarray(Math.round(from), Math.round(to))));
      if (process.env.LOUDNESS_REPORT) process.stderr.write(`${tone.title}: made ${tone.lufs}, steps ${String(decided[index]!.steps)}, heard ${heard.lufs} LUFS, true peak ${heard.truePeakDb}, sample peak ${heard.samplePeakDb}\n`);
      expect(heard.errors, tone.title).toEqual([]);
      expect(heard.samplePeakDb, `${tone.title} peak`).toBeLessThanOrEqual(0);
      expect(Math.abs(heard.lufs - TARGET), `${tone.title} heard at ${heard.lufs} LUFS`).toBeLessThanOrEqual(1);
      // Left alone: heard as the worker measured it in its transcode (measured: within 0.4 dB; one decimal on each side,
      // and the listener measures a cut of the stream, the worker the whole song).
      if (tone.title === 'Near') expect(Math.abs(heard.lufs - Number(decided[index]!.lufs)), `${tone.title} heard at ${heard.lufs}`).toBeLessThanOrEqual(0.5);
    }
  }, 150_000);
});

/** Audio bytes the listener had received when `at` (performance.now) came: where a title sits in the stream. */
function byteOffsetAt(listener: Listener, at: number): number {
  let bytes = 0;
  for (const chunk of listener.chunks) {
    if (chunk.at > at) break;
    bytes += chunk.bytes;
  }
  return bytes;
}

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMp3, decodePcm } from '../support/decode.js';
import { makeTone } from '../support/fixtures.js';
import { startIcecast, type IcecastServer } from '../support/icecast.js';
import { listen } from '../support/listener.js';
import { requirePrograms } from '../support/prereq.js';
import { rmsEnvelopeDb } from '../support/rms.js';
import { makeTempDir } from '../support/tmp.js';
import { tonePowers } from '../support/tone-power.js';
import { wholeFrames } from '../support/whole-frames.js';
import { startWorker, type WorkerProcess } from '../support/worker-process.js';

/*
 * A station with a 4 s crossfade heard by a real listener: three tones play through a real worker (real
 * ffmpeg, disk cache) into a real Icecast; the listener's audio is decoded and judged join by join. Tones
 * of different pitch make both songs measurable inside the overlap (Goertzel power of each one's pitch).
 */
const SONG_SECONDS = 12;
const CROSSFADE_SECONDS = 4;
const TONES = [
  { title: 'Low', frequency: 440 },
  { title: 'High', frequency: 660 },
  { title: 'Middle', frequency: 550 },
] as const;
const SAMPLE_RATE = 44100;
/** Audio bytes per second at the station's 128 kb/s. */
const BYTES_PER_SECOND = 16_000;
const WINDOW_SECONDS = 0.05;
/**
 * Icecast puts a title in the stream at its next metadata block (every 16000 bytes, 1 s here) after the
 * worker sends it, which it does when the overlap's midpoint is written (a tick, ≤ 0.2 s, before it is due).
 */
const TITLE_LATE_SECONDS = 1.5;
const TITLE_EARLY_SECONDS = 0.3;

describe('crossfade at a listener', () => {
  let icecast: IcecastServer;
  let temp: { dir: string; remove: () => Promise<void> };
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    requirePrograms('ffmpeg', 'icecast2');
    icecast = await startIcecast();
    temp = await makeTempDir('crossfade-e2e');
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await icecast?.stop();
    await temp?.remove();
  });

  it('overlaps songs by 4 s with no gap or dip deeper than 3 dB and no decode error, titles changing at the midpoint', async () => {
    const songs = await Promise.all(TONES.map((tone) => makeTone({ path: join(temp.dir, `${tone.title}.flac`), seconds: SONG_SECONDS, frequency: tone.frequency, format: 'flac', title: tone.title })));
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      stations: [{ name: 'xfade', mount: '/xfade.mp3', songs, loudness: 'off', crossfade: CROSSFADE_SECONDS }],
      cacheDir: join(temp.dir, 'cache'),
      logLevel: 'debug',
    });
    await icecast.waitForMount('/xfade.mp3', 10_000);
    const listener = await listen(`${icecast.url}/xfade.mp3`, { icyMetadata: true });
    // Low, High, Middle, Low again: three joins heard. Bounded: four songs of 12 s less the overlaps.
    await listener.waitForTitle(() => listener.titles.filter((title) => title.title !== '').length >= TONES.length + 1, 4 * SONG_SECONDS * 1000 + 20_000);
    await listener.waitForBytes(listener.byteCount + 3 * BYTES_PER_SECOND, 10_000);
    listener.close();

    const titles = listener.titles.filter((title) => title.title !== '');
    const audio = await wholeFrames(listener.audio());
    const decoded = await decodeMp3(audio);
    expect(decoded.errors).toEqual([]);
    const pcm = await decodePcm(audio, SAMPLE_RATE);

    for (const index of [1, 2, 3]) {
      const from = TONES[(index - 1) % TONES.length]!;
      const to = TONES[index % TONES.length]!;
      const titleAt = titles[index]!.audioOffset / BYTES_PER_SECOND;
      expect(titles[index]!.title).toBe(to.title);
      // Where the fade is: from 7 s before the title to 3 s after it, each window's power at each pitch.
      const start = Math.max(0, titleAt - 7);
      const windows = tonePowers(pcm.subarray(Math.round(start * SAMPLE_RATE), Math.round((titleAt + 3) * SAMPLE_RATE)), SAMPLE_RATE, WINDOW_SECONDS, [from.frequency, to.frequency]);
      const both = windows.filter(([a, b]) => a! > 0 && b! > 0 && Math.abs(10 * Math.log10(a! / b!)) < 20).length * WINDOW_SECONDS;
      const joinLog = () => JSON.stringify(worker!.events.filter((event) => /crossfade|now playing/.test(String(event.msg))));
      expect(both, `${from.title} → ${to.title}: seconds both are heard within 20 dB; ${joinLog()}`).toBeGreaterThan(0.8 * CROSSFADE_SECONDS);
      expect(both).toBeLessThan(CROSSFADE_SECONDS + 0.5);
      const crossing = start + windows.findIndex(([a, b]) => b! > a!) * WINDOW_SECONDS;
      expect(titleAt - crossing, `${from.title} → ${to.title}: title at ${titleAt.toFixed(2)} s, overlap midpoint at ${crossing.toFixed(2)} s`).toBeGreaterThan(-TITLE_EARLY_SECONDS);
      expect(titleAt - crossing).toBeLessThan(TITLE_LATE_SECONDS);
      // No gap and no dip: every 50 ms window around the join within 3 dB of the level before it.
      const levels = rmsEnvelopeDb(pcm.subarray(Math.round(start * SAMPLE_RATE), Math.round((titleAt + 3) * SAMPLE_RATE)), SAMPLE_RATE, WINDOW_SECONDS);
      const steady = levels[0]!;
      expect(Math.min(...levels), `${from.title} → ${to.title}: quietest window against ${steady.toFixed(1)} dB`).toBeGreaterThan(steady - 3);
    }
    const joinsMade = worker.events.filter((event) => event.msg === 'crossfade ready');
    expect(joinsMade.length, JSON.stringify(worker.events.filter((event) => /crossfade/.test(String(event.msg))))).toBeGreaterThanOrEqual(TONES.length);
  }, 120_000);

  it('keeps gapless joins (at most 5 ms of silence) on a station with crossfade 0', async () => {
    const songs = await Promise.all(TONES.map((tone) => makeTone({ path: join(temp.dir, `gapless-${tone.title}.flac`), seconds: 4, frequency: tone.frequency, format: 'flac', title: tone.title })));
    await worker?.stop('SIGKILL');
    worker = await startWorker({
      icecast: { url: icecast.url, sourcePassword: icecast.sourcePassword },
      stations: [{ name: 'gapless', mount: '/gapless.mp3', songs, loudness: 'off', crossfade: 0 }],
      cacheDir: join(temp.dir, 'gapless-cache'),
    });
    await icecast.waitForMount('/gapless.mp3', 10_000);
    const listener = await listen(`${icecast.url}/gapless.mp3`, { icyMetadata: true });
    await listener.waitForTitle(() => listener.titles.filter((title) => title.title !== '').length >= TONES.length + 2, 6 * 4_000 + 20_000);
    listener.close();
    const decoded = await decodeMp3(await wholeFrames(listener.audio()), { minSilenceSec: 0.002 });
    expect(decoded.errors).toEqual([]);
    const firstMusic = decoded.silences[0]?.start === 0 ? decoded.silences[0].end : 0;
    const gaps = decoded.silences.filter((silence) => silence.start > firstMusic + 0.01 && silence.end < decoded.durationSec - 0.05);
    expect(Math.max(0, ...gaps.map((gap) => gap.duration)), JSON.stringify(gaps)).toBeLessThanOrEqual(0.005);
    expect(worker.events.filter((event) => /crossfade/.test(String(event.msg)))).toEqual([]);
  }, 90_000);
});

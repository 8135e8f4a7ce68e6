import { DEFAULT_STREAM_FORMAT, bytesPerSecond, transcode } from '../src/audio/index.js';
import { silentLogger } from '../src/log/index.js';
import { decodeMp3 } from '../test/support/decode.js';
import { eachFrame } from '../test/support/frames.js';
import { wholeFrames } from '../test/support/whole-frames.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchListener, benchWorker, waitForMounts, type BenchContext } from './harness.js';

const NAME = 'boundaries';
const MOUNT = '/boundaries.mp3';
/** Odd lengths, so boundaries fall at every position inside an MP3 frame; distinct pitches. */
const SONGS = [
  { seconds: 3.01, frequency: 440 },
  { seconds: 4.57, frequency: 660 },
  { seconds: 7.77, frequency: 550 },
] as const;
/** The list twice, and into the third pass: 6 boundaries, one of them the loop back to the first song. */
const LISTEN_SECONDS = 2 * SONGS.reduce((sum, song) => sum + song.seconds, 0) + 4;
/** Where the reference measured: silencedetect at -50 dB for at least 2 ms. */
const NOISE_DB = -50;
const MIN_SILENCE_SEC = 0.002;
/** A silence this close to where a song should end counts as at that boundary (songs are cut to whole frames, so expected positions drift by up to a frame per song). */
const BOUNDARY_TOLERANCE_SEC = 0.25;

/** 6. Silence at song boundaries as a listener hears it: decoded with ffmpeg, silencedetect -50 dB / 2 ms. */
export async function measureBoundaries(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const songs = await Promise.all(SONGS.map((song) => context.tone({ ...song, title: `Boundary ${song.frequency}` })));
  const icecast = await benchIcecast(scope);
  await benchWorker(scope, icecast, [{ name: 'boundaries', mount: MOUNT, songs }]);
  await waitForMounts(icecast, [MOUNT], 10_000, scope.signal);
  const listener = await benchListener(scope, `${icecast.url}${MOUNT}`);
  context.say(`${NAME}: listening for ${Math.round(LISTEN_SECONDS)} s`);
  await listener.waitForBytes(Math.round(LISTEN_SECONDS * bytesPerSecond(DEFAULT_STREAM_FORMAT)), (LISTEN_SECONDS + 20) * 1000);
  listener.close();

  // The listener joins mid-frame and hangs up mid-frame: judge whole frames only.
  const decoded = await decodeMp3(await wholeFrames(listener.audio()), { noiseDb: NOISE_DB, minSilenceSec: MIN_SILENCE_SEC });
  // The station sends silence until the first song is transcoded: music starts where that silence ends.
  const lead = decoded.silences[0]?.start === 0 ? decoded.silences[0] : undefined;
  const musicStart = lead?.end ?? 0;
  const musicEnd = decoded.durationSec - 0.05;
  const boundaries: number[] = [];
  for (let at = musicStart, index = 0; index < 100; index += 1) {
    at += SONGS[index % SONGS.length]!.seconds;
    if (at >= musicEnd) break;
    boundaries.push(at);
  }
  const gaps = decoded.silences.filter((silence) => silence !== lead && silence.end < musicEnd);
  const atBoundary = gaps.filter((gap) => boundaries.some((at) => gap.start - BOUNDARY_TOLERANCE_SEC <= at && at <= gap.end + BOUNDARY_TOLERANCE_SEC));
  const elsewhere = gaps.filter((gap) => !atBoundary.includes(gap));
  const largestMs = 1000 * Math.max(0, ...atBoundary.map((gap) => gap.duration));
  return [
    atMost(
      NAME,
      {
        name: `largest silence at a song boundary (${boundaries.length} boundaries, -50 dB / 2 ms; 0 = none detected)`,
        value: largestMs,
        unit: 'ms',
        digits: 1,
        note: atBoundary.length === 0 ? 'no silence of 2 ms or more at any boundary' : atBoundary.map((gap) => `${(gap.duration * 1000).toFixed(1)} ms at ${gap.start.toFixed(3)} s`).join('; '),
      },
      5,
    ),
    info(NAME, {
      name: 'silences of 2 ms or more away from any boundary',
      value: elsewhere.length,
      unit: '',
      digits: 0,
      note: elsewhere.map((gap) => `${(gap.duration * 1000).toFixed(1)} ms at ${gap.start.toFixed(3)} s`).join('; ') || undefined,
    }, '0'),
    info(NAME, {
      name: '  same songs joined offline: transcode() frames concatenated, no station or Icecast (largest silence)',
      value: await offlineJoinSilenceMs(songs),
      unit: 'ms',
      digits: 1,
      note: 'tells the transcoder\'s joins (this row) from what the station adds between songs (the row above it)',
    }),
    info(NAME, { name: 'ffmpeg decode errors in what the listener received', value: decoded.errors.length, unit: '', digits: 0, note: decoded.errors.slice(0, 3).join(' | ') || undefined }, '0'),
  ];
}

/** The songs transcoded one after another, twice over, their frames concatenated and decoded: largest silence after the start. */
async function offlineJoinSilenceMs(songs: readonly string[]): Promise<number> {
  const frames: Buffer[] = [];
  for (const song of [...songs, ...songs]) {
    for await (const frame of eachFrame(transcode({ input: song, format: DEFAULT_STREAM_FORMAT, logger: silentLogger() }))) frames.push(frame.bytes);
  }
  const decoded = await decodeMp3(Buffer.concat(frames), { noiseDb: NOISE_DB, minSilenceSec: MIN_SILENCE_SEC });
  // The decoder's own delay is silence at the very start: not a join.
  const joins = decoded.silences.filter((silence) => silence.start > 0.05 && silence.end < decoded.durationSec - 0.05);
  return 1000 * Math.max(0, ...joins.map((silence) => silence.duration));
}

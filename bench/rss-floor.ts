import { spawn } from 'node:child_process';
import type { StreamFormat } from '../src/audio/index.js';
import { workerFfmpegArgs } from './measure-transcode.js';
import { startNodeFloor } from './node-floor.js';
import { peakRssMb, rssMb } from './proc-stats.js';
import { sleep, trackChild, type Scope } from './scope.js';

/** Long enough for ffmpeg to fill its output pipe and block there, with every library and filter set up. */
const SETTLE_MS = 1_500;

/** What a worker's process tree cannot go below on this machine while it transcodes: an empty Node and one ffmpeg. */
export interface RssFloor {
  readonly emptyNodeMb: number;
  readonly ffmpegMb: number;
}

/**
 * Measures the tree-RSS floor in the same run as the figure it is set beside: the RSS of an empty Node
 * process woken as often as the pacer, and the peak RSS of ffmpeg running the worker's own command on
 * `song`, held mid-song by a full output pipe that nobody reads (the state a fill is in for its length).
 */
export async function measureRssFloor(scope: Scope, song: string, format: StreamFormat): Promise<RssFloor> {
  const nodePid = startNodeFloor(scope);
  const ffmpeg = trackChild(spawn('ffmpeg', workerFfmpegArgs(song, format), { stdio: ['ignore', 'pipe', 'ignore'] }));
  scope.add('ffmpeg for the RSS floor', () => ffmpeg.kill('SIGKILL'));
  await sleep(SETTLE_MS, scope.signal);
  const emptyNodeMb = rssMb(nodePid);
  const ffmpegMb = peakRssMb(ffmpeg.pid ?? -1);
  ffmpeg.kill('SIGKILL');
  if (emptyNodeMb === undefined || ffmpegMb === undefined) throw new Error('the RSS floor processes exited before they were measured');
  return { emptyNodeMb, ffmpegMb };
}

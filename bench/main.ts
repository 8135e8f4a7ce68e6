import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requirePrograms } from '../test/support/prereq.js';
import { makeTempDir } from '../test/support/tmp.js';
import { failedMeasurement, type Figure } from './figure.js';
import { toneMaker, type BenchContext } from './harness.js';
import { measureBoundaries } from './measure-boundaries.js';
import { measureCli } from './measure-cli.js';
import { measureCold } from './measure-cold.js';
import { measureCrossfade } from './measure-crossfade.js';
import { measureFaults } from './measure-faults.js';
import { measureFleet } from './measure-fleet.js';
import { measureHundreds } from './measure-hundreds.js';
import { measureJoin } from './measure-join.js';
import { measureLongRss } from './measure-long-rss.js';
import { measureLoudnessCpu } from './measure-loudness-cpu.js';
import { measureLoudnessRows } from './measure-loudness.js';
import { measureMatch } from './measure-match.js';
import { measurePacing } from './measure-pacing.js';
import { measureRestart } from './measure-restart.js';
import { measureStartup } from './measure-startup.js';
import { measureTranscode } from './measure-transcode.js';
import { measureTwenty } from './measure-twenty.js';
import { Scope } from './scope.js';
import { markdownTable } from './table.js';
import { BUILT_CLI_PATH } from './worker.js';
import { REPO_ROOT } from '../test/support/paths.js';

/** Written next to package.json (gitignored). */
const RESULTS_PATH = join(REPO_ROOT, 'bench-results.json');

interface Measurement {
  readonly name: string;
  /** Other names `--only` accepts for it. */
  readonly aliases: readonly string[];
  readonly what: string;
  /** Past this the measurement is stopped and reported as not completed. */
  readonly limitMs: number;
  /** Only with --long (or when named with --only). */
  readonly long?: boolean;
  run(context: BenchContext): Promise<Figure[]>;
}

/** In the order they run; about 8 minutes without --long on a 2-core machine. */
const MEASUREMENTS: readonly Measurement[] = [
  { name: 'startup', aliases: [], what: 'start → mount up / first byte / first music (3 cold starts)', limitMs: 90_000, run: measureStartup },
  { name: 'cli', aliases: ['version'], what: '`relaycast --version`, `now --help` and `now` (local Redis): wall time and peak RSS beside an empty Node', limitMs: 60_000, run: measureCli },
  { name: 'transcode', aliases: ['ffmpeg'], what: 'ffmpeg m4a → MP3 speed and CPU', limitMs: 120_000, run: measureTranscode },
  { name: 'boundaries', aliases: ['silence', 'gapless'], what: 'silence at song boundaries at a listener', limitMs: 90_000, run: measureBoundaries },
  { name: 'pacing', aliases: ['cpu', 'rss', 'bitrate', 'stall'], what: '1 station: CPU, RSS, bitrate and stalls over two minutes', limitMs: 200_000, run: measurePacing },
  { name: 'cold', aliases: ['cold-path', 'new-songs'], what: '1 station, every song new (fresh cache), 5 min: process-tree CPU vs ffmpeg alone, tree RSS/PSS, ffmpegs alive', limitMs: 480_000, run: measureCold },
  { name: 'twenty', aliases: ['cpu20'], what: '20 stations in one process: CPU and RSS over 60 s', limitMs: 150_000, run: measureTwenty },
  { name: 'hundreds', aliases: ['200', 'one-clock'], what: '200 stations on one pacing clock vs 1 station and the Node floor: CPU, RSS, stalls', limitMs: 360_000, run: measureHundreds },
  { name: 'restart', aliases: ['reconnect'], what: 'back on air after Icecast restarts (4 times, 31 s apart)', limitMs: 200_000, run: measureRestart },
  { name: 'join', aliases: ['listener'], what: 'new listener on a running mount → first decoded audio', limitMs: 90_000, run: measureJoin },
  { name: 'fleet', aliases: ['failover', 'leases'], what: 'several workers: SIGKILL failover, SIGTERM hand-over, pause takeover, new station on air', limitMs: 120_000, run: measureFleet },
  { name: 'crossfade', aliases: ['xfade'], what: 'CPU and time to make one 4 s crossfade (decode, mix, encode)', limitMs: 60_000, run: measureCrossfade },
  { name: 'loudness', aliases: ['lufs', 'normalisation'], what: 'loudness spread of 10 songs before/after normalisation, and the gain stage\'s CPU on vs off', limitMs: 180_000, run: measureLoudnessRows },
  { name: 'loudness-cpu', aliases: ['normalisation-cpu'], what: '1 station from the cache with normalisation on vs off, side by side: worker CPU and the ratio', limitMs: 240_000, run: measureLoudnessCpu },
  { name: 'match', aliases: ['unlock'], what: 'cross-provider match over the labelled set: precision (= 100 %) and recall (≥ 90 %)', limitMs: 10_000, run: measureMatch },
  { name: 'faults', aliases: ['fault'], what: 'longest silence at a listener under each fault of issue 12 (budget 10 s)', limitMs: 360_000, run: measureFaults },
  { name: 'long-rss', aliases: ['long'], what: 'RSS, open files and children over 60 min of one station on the cold path with a skip and a playlist edit every minute (--long)', limitMs: 3_900_000, long: true, run: measureLongRss },
];

const USAGE = `npm run bench [-- options]   (or: node dist/bench/main.js [options] after npm run build)

Measures relaycast against real icecast2 and ffmpeg on loopback, with the built worker
(dist/src/cli/main.js) as its own process, prints a table of figures against their targets and
writes bench-results.json. Exit code 1 when a target is missed or a measurement did not complete.

  --only <name>   run only these measurements (repeat, or comma-separated)
  --long          also run the 60-minute RSS measurement (long-rss)
  --list          list the measurements
  -h, --help      this text

Measurements: ${MEASUREMENTS.map((m) => m.name).join(', ')}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: 'string', multiple: true }, long: { type: 'boolean' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const m of MEASUREMENTS) console.log(`${m.name.padEnd(11)} ${m.what}${m.aliases.length ? ` (also: ${m.aliases.join(', ')})` : ''}`);
    return 0;
  }
  const selected = select(values.only?.flatMap((entry) => entry.split(',')) ?? [], values.long === true);
  requirePrograms('ffmpeg', 'ffprobe', 'icecast2', 'setpriv', 'bash');
  if (!existsSync(BUILT_CLI_PATH)) throw new Error(`${BUILT_CLI_PATH} is missing: run npm run build (npm run bench does)`);

  const started = Date.now();
  const say = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  const temp = await makeTempDir('bench');
  const figures: Figure[] = [];
  /** 1-minute load average before and after each measurement: wall-clock figures mean little on a busy machine. */
  const load: { measurement: string; before: number; after: number }[] = [];
  let current: Scope | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130); // second signal: the exit hooks SIGKILL every child
    interrupted = true;
    say(`${signal}: stopping what runs (again to force)`);
    void current?.close(`interrupted by ${signal}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say(`running ${selected.map((m) => m.name).join(', ')}`);
    for (const measurement of selected) {
      if (interrupted) break;
      const scope = new Scope();
      current = scope;
      const context: BenchContext = { scope, dir: temp.dir, tone: toneMaker(temp.dir), say };
      say(`${measurement.name}: ${measurement.what}`);
      const t0 = performance.now();
      const loadBefore = loadavg()[0] ?? 0;
      try {
        figures.push(...(await bounded(measurement.run(context), measurement.limitMs, scope, measurement.name)));
      } catch (error) {
        figures.push(failedMeasurement(measurement.name, error));
      } finally {
        const problems = await scope.close();
        for (const problem of problems) say(`${measurement.name}: ${problem}`);
        load.push({ measurement: measurement.name, before: round2(loadBefore), after: round2(loadavg()[0] ?? 0) });
        say(`${measurement.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)})`);
      }
    }
  } finally {
    current = undefined;
    await temp.remove();
  }

  console.log(`\n${markdownTable(figures)}\n`);
  const busiest = Math.max(0, ...load.flatMap((entry) => [entry.before, entry.after]));
  if (busiest > cpus().length * 0.75) {
    console.log(`Warning: the 1-minute load average reached ${busiest.toFixed(2)} on ${cpus().length} cores during the run: other work competed with the bench, so wall-clock figures (start-up, joins, reconnects, transcode speed) are pessimistic; CPU-time figures are less affected.`);
  }
  const failed = figures.filter((figure) => figure.verdict === 'fail' || figure.verdict === 'error');
  console.log(`${figures.filter((f) => f.verdict === 'pass').length} targets met, ${failed.length} missed or not measured${interrupted ? ' (interrupted)' : ''}; ${RESULTS_PATH}`);
  await writeFile(
    RESULTS_PATH,
    `${JSON.stringify({ startedAt: new Date(started).toISOString(), durationSec: Math.round((Date.now() - started) / 1000), interrupted, host: hostInfo(), measurements: selected.map((m) => m.name), load, figures }, null, 2)}\n`,
  );
  return failed.length > 0 || interrupted ? 1 : 0;
}

function select(names: readonly string[], long: boolean): Measurement[] {
  if (names.length === 0) return MEASUREMENTS.filter((m) => !m.long || long);
  const chosen = new Set<Measurement>();
  for (const name of names) {
    const found = MEASUREMENTS.find((m) => m.name === name || m.aliases.includes(name));
    if (!found) throw new Error(`no measurement named ${JSON.stringify(name)}: choose from ${MEASUREMENTS.map((m) => m.name).join(', ')}`);
    chosen.add(found);
  }
  if (long) chosen.add(MEASUREMENTS.find((m) => m.long)!);
  return MEASUREMENTS.filter((m) => chosen.has(m));
}

/**
 * The measurement's figures, or an error once its time is up or the bench is interrupted. Either way the
 * scope is closed by the caller, which stops what the measurement started and aborts its waits; a wait
 * that cannot be aborted settles on its own timeout later, unobserved.
 */
function bounded(run: Promise<Figure[]>, limitMs: number, scope: Scope, name: string): Promise<Figure[]> {
  run.catch(() => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} took over ${limitMs / 1000} s`));
      void scope.close(`${name} ran out of time`);
    }, limitMs);
    const onAbort = () => reject(scope.signal.reason instanceof Error ? scope.signal.reason : new Error('aborted'));
    scope.signal.addEventListener('abort', onAbort, { once: true });
    run.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      scope.signal.removeEventListener('abort', onAbort);
    });
  });
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function hostInfo(): Record<string, unknown> {
  const firstLine = (program: string, args: string[]) => spawnSync(program, args, { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    ffmpeg: firstLine('ffmpeg', ['-version']),
    icecast: firstLine('icecast2', ['-v']),
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);

import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import type { MetricsServer, WorkerMetrics } from '../../metrics/index.js';
import { withDeadline } from '../../time/with-deadline.js';
import { EXIT } from '../cli-error.js';
import { ConfigError } from '../../errors.js';
import type { Worker } from '../../worker/worker.js';

/** Stations get this long to close their sources and kill their ffmpeg children after SIGTERM/SIGINT. */
const SHUTDOWN_DEADLINE_MS = 1_800;
/**
 * After a start-up failure the process ends once what it opened is closed; should anything still hold the
 * event loop (a socket a library keeps), it is ended this long after the error was printed, well within the
 * 5 s a supervisor may expect.
 */
const FAILED_START_EXIT_MS = 1_000;

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the stations: songs → ffmpeg → paced MP3 → Icecast, until SIGTERM/SIGINT')
    .option('-c, --config <file>', 'JSON config file (default: $RELAYCAST_CONFIG)')
    .addHelpText(
      'after',
      `
Examples:
  ICECAST_SOURCE_PASSWORD=secret STATION_NAME=main STATION_MOUNT=/radio.mp3 \\
    STATION_PLAYLIST_FILE=songs.m3u relaycast start
  relaycast start --config station.json`,
    )
    .action(async (options: { config?: string }) => {
      // The worker's modules are loaded when it starts, not for `relaycast start --help`.
      const [{ loadConfig }, { createLogger }, { Worker }] = await Promise.all([
        import('../../config/index.js'),
        import('../../log/index.js'),
        import('../../worker/worker.js'),
      ]);
      const config = await loadConfig(process.env, options.config ?? process.env.RELAYCAST_CONFIG);
      const logger = createLogger({ level: config.logLevel });
      logger.info({ stations: config.stations.length, redis: Boolean(config.redis.url), relay: Boolean(config.relay.url) }, 'worker starting');
      // Before the stations: a metrics port that cannot be had stops the start with the setting named.
      const metrics = await startMetrics(config, logger);
      const worker = new Worker(config, logger, metrics?.metrics);
      await startOrClose(worker, metrics?.server);
      await waitForStopSignal();
      logger.info('stopping');
      const deadline = setTimeout(() => process.exit(EXIT.failure), SHUTDOWN_DEADLINE_MS).unref();
      await worker.stop();
      await metrics?.server.close();
      clearTimeout(deadline);
      logger.flush();
    });
}

/**
 * Starts the worker; when that fails, closes what it opened before the error goes on to main, which prints
 * it as one line and sets the exit code. A stuck close or a leftover handle cannot keep the process alive.
 */
async function startOrClose(worker: Worker, metricsServer: MetricsServer | undefined): Promise<void> {
  try {
    await worker.start();
  } catch (error) {
    await withDeadline(worker.stop().catch(() => undefined), SHUTDOWN_DEADLINE_MS, () => undefined);
    await metricsServer?.close();
    // main sets the code that fits the error; this one holds should the timer below end the process first.
    process.exitCode = EXIT.failure;
    setTimeout(() => process.exit(), FAILED_START_EXIT_MS).unref();
    throw error;
  }
}

/** METRICS_PORT set: the worker's metrics and their HTTP server (loaded only then). */
async function startMetrics(config: Config, logger: Logger): Promise<{ metrics: WorkerMetrics; server: MetricsServer } | undefined> {
  const { port, host } = config.metrics;
  if (port === undefined) return undefined;
  const { Registry, WorkerMetrics, startMetricsServer } = await import('../../metrics/index.js');
  const registry = new Registry();
  const metrics = new WorkerMetrics({ registry, icecastUrl: config.icecast.url });
  try {
    return { metrics, server: await startMetricsServer({ registry, host, port, logger }) };
  } catch (error) {
    throw new ConfigError('METRICS_PORT', `cannot listen on ${host}:${port} (${(error as NodeJS.ErrnoException).code ?? 'error'}): choose a free port`);
  }
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

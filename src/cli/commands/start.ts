import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../log/index.js';
import { Worker } from '../../worker/worker.js';

/** Stations get this long to close their sources and kill their ffmpeg children after SIGTERM/SIGINT. */
const SHUTDOWN_DEADLINE_MS = 1_800;

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
      const config = await loadConfig(process.env, options.config ?? process.env.RELAYCAST_CONFIG);
      const logger = createLogger({ level: config.logLevel });
      logger.info({ stations: config.stations.length, redis: Boolean(config.redis.url), relay: Boolean(config.relay.url) }, 'worker starting');
      const worker = new Worker(config, logger);
      await worker.start();
      await waitForStopSignal();
      logger.info('stopping');
      const deadline = setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
      await worker.stop();
      clearTimeout(deadline);
      logger.flush();
    });
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

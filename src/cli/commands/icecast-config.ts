import type { Command } from 'commander';
import { systemClock } from '../../time/index.js';
import { action, examples } from './command-kit.js';

/** After SIGTERM the writer finishes the round under way (a file write) within this, or the process ends anyway. */
const SHUTDOWN_DEADLINE_MS = 2_000;

export function registerIcecastConfig(program: Command): void {
  program
    .command('icecast-config')
    .description("keep Icecast's config in step with the stations in Redis: each station's mount with a fallback mount of its own (on an edge, relayed from the master)")
    .option('--once', 'render once and exit (non-zero when Redis does not answer within ~3 s)')
    .addHelpText(
      'after',
      examples(
        'ICECAST_BASE_CONFIG_PATH=./icecast-base.xml ICECAST_CONFIG_PATH=./icecast.xml REDIS_URL=redis://127.0.0.1:6379 relaycast icecast-config',
        'ICECAST_EDGE_MASTER=icecast:8000 ICECAST_CONFIG_PATH=/config/icecast-edge.xml REDIS_URL=redis://redis:6379 relaycast icecast-config',
        'REDIS_URL=redis://127.0.0.1:6379 relaycast icecast-config --once',
      ),
    )
    .action(
      action(async (flags: { once?: boolean }) => {
        // The writer's modules are loaded when it runs, not for `relaycast icecast-config --help`.
        const [{ configFiles, IcecastConfigWriter, openStationFeed, readIcecastConfigSettings, renderOnce }, { createLogger }, { writeIcecastConfigFile }] = await Promise.all([
          import('../../icecast-mounts/index.js'),
          import('../../log/index.js'),
          import('../../setup/index.js'),
        ]);
        const settings = readIcecastConfigSettings(process.env);
        const logger = createLogger({ level: settings.logLevel });
        const files = configFiles(settings.basePath, settings.outputPath, writeIcecastConfigFile);
        if (flags.once) {
          const result = await renderOnce(files, settings.redisUrl, settings.edge);
          logger.info({ event: 'icecast-config.rendered', file: settings.outputPath, mounts: result.mounts, written: result.written }, result.written ? 'Icecast config written' : 'Icecast config already up to date');
          logger.flush();
          return;
        }
        const feed = openStationFeed(settings.redisUrl);
        const writer = new IcecastConfigWriter({ files, feed, clock: systemClock, logger, edge: settings.edge, outputPath: settings.outputPath });
        try {
          await writer.start();
        } catch (error) {
          feed.close();
          throw error;
        }
        logger.info({ event: 'icecast-config.following', base: settings.basePath, file: settings.outputPath, redis: writer.redis }, 'following the stations and the base config');
        await new Promise<void>((resolve) => {
          process.once('SIGTERM', resolve);
          process.once('SIGINT', resolve);
        });
        setTimeout(() => process.exit(), SHUTDOWN_DEADLINE_MS).unref();
        await writer.stop();
        logger.flush();
      }),
    );
}

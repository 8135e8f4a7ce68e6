import type { Command } from 'commander';
import { WEB_ENV_SETTINGS } from '../../web/settings.js';
import { examples } from './command-kit.js';
import { fetchListeners } from './icecast-status.js';

/** After SIGTERM the open event streams are ended and the process exits within this anyway. */
const SHUTDOWN_DEADLINE_MS = 2_000;

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description("serve the stations' pages and a read-only JSON API: what plays, what's next, the last songs, listeners (live over Server-Sent Events)")
    .addHelpText(
      'after',
      `\nEnvironment:\n${WEB_ENV_SETTINGS.map((setting) => `  ${setting.name.padEnd(20)}${setting.meaning}${setting.default ? ` (default ${setting.default})` : ''}`).join('\n')}\n` +
        examples(
          'REDIS_URL=redis://127.0.0.1:6379 relaycast web',
          'REDIS_URL=redis://redis:6379 WEB_HOST=0.0.0.0 ICECAST_PUBLIC_URL=https://radio.example.com/ ICECAST_URL=http://icecast:8000 relaycast web',
        ),
    )
    .action(async () => {
      // The server's modules are loaded when it starts, not for `relaycast web --help`.
      const [{ createLogger }, { closeRedis, connectRedis, createStore, LONG_RUNNING_REDIS_OPTIONS }, { loadStaticFiles, readWebSettings, WebServer }] = await Promise.all([
        import('../../log/index.js'),
        import('../../store/index.js'),
        import('../../web/index.js'),
      ]);
      const settings = readWebSettings(process.env);
      const logger = createLogger({ level: settings.logLevel });
      const staticFiles = await loadStaticFiles();
      // Reconnects forever once up; at start an unreachable Redis is an error (exit 4).
      const redis = await connectRedis(settings.redisUrl, LONG_RUNNING_REDIS_OPTIONS);
      const server = new WebServer({
        store: createStore(redis),
        host: settings.host,
        port: settings.port,
        icecastPublicUrl: settings.icecastPublicUrl,
        fetchListeners: () => fetchListeners(settings.icecastUrl),
        staticFiles,
        logger,
      });
      try {
        await server.listen();
      } catch (error) {
        await closeRedis(redis);
        throw error;
      }
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      setTimeout(() => process.exit(), SHUTDOWN_DEADLINE_MS).unref();
      await server.close();
      await closeRedis(redis);
      logger.flush();
    });
}

import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../log/index.js';
import type { MetricsServer, RelayMetrics } from '../../metrics/index.js';

export function registerRelay(program: Command): void {
  program
    .command('relay')
    .description('run the song relay: resolves song and playlist refs for workers (host it where the music services answer)')
    .addHelpText(
      'after',
      `
Examples:
  RELAY_TOKEN=$(openssl rand -hex 24) MUSIC_DIR=./music relaycast relay
  RELAY_TOKEN=… RELAY_HOST=0.0.0.0 NETEASE_API_URL=http://127.0.0.1:3000 QQ_ENABLED=1 relaycast relay`,
    )
    .action(async () => {
      // The relay's modules are loaded when it starts, not for `relaycast relay --help`.
      const [{ probeTags }, { loadRelaySettings }, { createLogger }, { createRelayServer }] = await Promise.all([
        import('../../audio/index.js'),
        import('../../config/relay-environment.js'),
        import('../../log/index.js'),
        import('../../relay/index.js'),
      ]);
      const { config, logLevel } = await loadRelaySettings(process.env);
      const logger = createLogger({ level: logLevel });
      const metrics = config.metrics ? await startRelayMetrics(config.listen.host, config.metrics.port, logger) : undefined;
      const server = createRelayServer({ config, logger, tagReader: probeTags, ...(metrics ? { observer: metrics.observer } : {}) });
      // The server logs "relay listening" (event relay.listening) with its URL and providers.
      await server.listen();
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await server.close();
      await metrics?.server.close();
    });
}

/** METRICS_PORT set: the relay's metrics, served on the relay's own host (RELAY_HOST) and that port. */
async function startRelayMetrics(host: string, port: number, logger: Logger): Promise<{ observer: RelayMetrics; server: MetricsServer }> {
  const { Registry, RelayMetrics, startMetricsServer } = await import('../../metrics/index.js');
  const registry = new Registry();
  const observer = new RelayMetrics(registry);
  try {
    return { observer, server: await startMetricsServer({ registry, host, port, logger }) };
  } catch (error) {
    throw new ConfigError('METRICS_PORT', `cannot listen on ${host}:${port} (${(error as NodeJS.ErrnoException).code ?? 'error'}): choose a free port`);
  }
}

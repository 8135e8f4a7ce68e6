import type { Command } from 'commander';
import { probeTags } from '../../audio/index.js';
import { loadRelaySettings } from '../../config/relay-environment.js';
import { createLogger } from '../../log/index.js';
import { createRelayServer } from '../../relay/index.js';

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
      const { config, logLevel } = await loadRelaySettings(process.env);
      const logger = createLogger({ level: logLevel });
      const server = createRelayServer({ config, logger, tagReader: probeTags });
      // The server logs "relay listening" (event relay.listening) with its URL and providers.
      await server.listen();
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await server.close();
    });
}

import type { Command } from 'commander';
import { createLogger } from '../../log/index.js';
import { readSetupSettings, runSetup } from '../../setup/index.js';
import { progressBar } from '../progress.js';
import { action, examples } from './command-kit.js';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description(
      'prepare a docker compose station, safe to re-run: secrets (generated once), icecast.xml, demo songs in an empty music folder, a default station in an empty Redis',
    )
    .addHelpText(
      'after',
      examples(
        'docker compose run --rm setup',
        'SECRETS_DIR=./secrets ICECAST_CONFIG_PATH=./icecast.rendered.xml MUSIC_DIR=./music REDIS_URL=redis://127.0.0.1:6379 relaycast setup',
      ),
    )
    .action(
      action(async () => {
        const settings = await readSetupSettings(process.env);
        const logger = createLogger({ level: settings.logLevel });
        // stdout carries the JSON log lines, unchanged; the bar goes to stderr, on a terminal only.
        await runSetup(settings, { logger, demoSongsProgress: await progressBar('making demo songs') });
        logger.flush();
      }),
    );
}

#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { describeError } from '../errors.js';
import { exitCodeOf } from './cli-error.js';
import { registerCommands } from './commands/index.js';

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('relaycast')
    .description('Internet radio streamer: songs from a music API relay, paced into Icecast')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.trim().split('\n')[0] + '\n') });
  await registerCommands(program, argv);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
  } catch (error) {
    const code = exitCodeOf(error);
    // Commander has already printed its own one-line message for usage errors.
    if (!(error instanceof CommanderError)) process.stderr.write(`relaycast: ${describeError(error)}\n`);
    process.exitCode = code;
  }
}

await main(process.argv);

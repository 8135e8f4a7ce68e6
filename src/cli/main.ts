#!/usr/bin/env -S node --max-semi-space-size=1
// The shebang's V8 option, for every command and above all `relaycast start`: V8 lets the young generation
// grow to 16 MB per semi-space, and a worker filling the cache (a song's frames split, written, read back
// and paced) grew it to the full size: measured, a 1-station worker's RSS peaked at 96 MB by default and
// 74 MB with 1 MB semi-spaces, for no more CPU (issue 16, item 3). It has to be given at start-up: set at
// run time (v8.setFlagsFromString) it made the peak higher.
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

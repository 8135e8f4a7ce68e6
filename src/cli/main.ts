#!/usr/bin/env -S node --max-semi-space-size=2 --v8-pool-size=1
// V8's young generation may grow to 2 × 16 MiB by default, and a worker's start-up garbage filled it: a
// one-station worker peaked at 85-98 MB RSS with it, 72 MB with 2 MiB semi-spaces (bench row 'cold').
// V8 runs background compiles and GC marking on 4 threads by default, and glibc gives each thread that
// allocates its own malloc arena, kept once grown: with one thread, 200 stations peaked at 138 MB instead of
// 153, at 7.33 % CPU against 6.92 % (bench row 'hundreds', same hour); one station's cold tree is unchanged.
// Measured and not taken: --optimize-for-size (−10 MB, but 200 stations cost 11.5 %) and interpreter-only
// modes (--lite-mode, --no-opt: −17 MB, 200 stations 11-13 % against a target of 12 %).
// In the shebang so that every way of running relaycast (the npm bin, the images' command) gets them.
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

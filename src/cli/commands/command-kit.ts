import type { Command } from 'commander';
import { addRedisOption, optionsOf } from './options.js';
import { printLines } from './output.js';

/** The `Examples:` block every verb's --help ends with. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** A subcommand that talks to Redis, with its description and examples. */
export function subcommand(group: Command, usage: string, description: string, ...exampleLines: string[]): Command {
  return addRedisOption(group.command(usage).description(description).addHelpText('after', examples(...exampleLines)));
}

export function addQuietOption(command: Command): Command {
  return command.option('-q, --quiet', 'print nothing on success');
}

/** A confirmation on stdout unless -q: like mpc, say what was done; scripts can silence it. */
export function confirm(flags: { quiet?: boolean }, message: string): void {
  if (!flags.quiet) printLines([message]);
}

export const plural = (count: number, noun = 'song') => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * A commander action that gets the command's flags (its own and its parents') first, then its positional
 * arguments; commander passes the arguments, then the options object, then the command.
 */
export function action<Flags extends object, Args extends unknown[]>(
  run: (flags: Flags, ...args: Args) => Promise<void>,
): (...commanderArgs: unknown[]) => Promise<void> {
  return (...commanderArgs) => {
    const command = commanderArgs.at(-1) as Command;
    return run(optionsOf<Flags>(command), ...(commanderArgs.slice(0, -2) as Args));
  };
}

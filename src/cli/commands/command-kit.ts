import type { Command } from 'commander';
import { addRedisOption } from './options.js';
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

import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { escapeXml } from '../xml-text.js';
import { makeFolder, writeFileAtomic } from './files.js';

const PLACEHOLDER = /\$\{([A-Z0-9_]+)\}/g;

/** Holds the three Icecast passwords: readable by its owner and group only (Icecast's user is in the group). */
export const ICECAST_CONFIG_MODE = 0o640;

/** The `${NAME}` placeholders of a template, each once, in order of appearance. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/**
 * Fills every `${NAME}` of icecast.xml, XML-escaped. A placeholder without a value is an error, never an
 * empty string: an empty <source-password> would let anyone stream.
 */
export function renderIcecastTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const missing = templatePlaceholders(template).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new ConfigError('ICECAST_CONFIG_TEMPLATE', `no value for ${missing.map((name) => `\${${name}}`).join(', ')}`);
  return template.replace(PLACEHOLDER, (_match, name: string) => escapeXml(values[name]!));
}

/**
 * Renders the template file into `outputPath` (re-rendered at every setup: upgrades bring template changes),
 * and returns what it wrote.
 */
export async function writeIcecastConfig(templatePath: string, outputPath: string, values: Readonly<Record<string, string>>): Promise<string> {
  let template: string;
  try {
    template = await readFile(templatePath, 'utf8');
  } catch (error) {
    throw new ConfigError('ICECAST_CONFIG_TEMPLATE', `cannot read ${templatePath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const config = renderIcecastTemplate(template, values);
  await writeIcecastConfigFile(outputPath, config);
  return config;
}

/** Writes an Icecast config file in one step (Icecast, reloading at any moment, reads the old or the new), mode 0640. */
export async function writeIcecastConfigFile(path: string, text: string): Promise<void> {
  await makeFolder(dirname(path));
  await writeFileAtomic(path, text, { mode: ICECAST_CONFIG_MODE });
}

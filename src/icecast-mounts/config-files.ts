import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

/** The two files of the writer: the base it reads and the config it writes for Icecast. */
export interface ConfigFiles {
  /** The base's text; a ConfigError naming ICECAST_BASE_CONFIG_PATH when it cannot be read. */
  readBase(): Promise<string>;
  /** The config as it is on disk, or undefined when there is none yet. */
  readOutput(): Promise<string | undefined>;
  /** Replaces the config in one step: Icecast, reloading at any moment, reads the old file or the new one. */
  writeOutput(text: string): Promise<void>;
}

/**
 * The files at these paths. `write` replaces a file in one step with Icecast's mode (setup's
 * writeIcecastConfigFile: the config holds Icecast's passwords, like the base).
 */
export function configFiles(basePath: string, outputPath: string, write: (path: string, text: string) => Promise<void>): ConfigFiles {
  return {
    async readBase() {
      try {
        return await readFile(basePath, 'utf8');
      } catch (error) {
        throw new ConfigError('ICECAST_BASE_CONFIG_PATH', `cannot read ${basePath} (${(error as NodeJS.ErrnoException).code ?? 'error'}): run relaycast setup first`);
      }
    },
    async readOutput() {
      try {
        return await readFile(outputPath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new ConfigError('ICECAST_CONFIG_PATH', `cannot read ${outputPath} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    },
    writeOutput: (text) => write(outputPath, text),
  };
}

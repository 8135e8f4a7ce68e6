import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { IcecastServer } from './icecast.js';

/**
 * The pid of the icecast2 started with `-c configPath`: read from /proc, since the server object does not
 * hold it. Exactly one must match (the one this test started), else it throws.
 */
export async function icecastPid(server: Pick<IcecastServer, 'configPath'>): Promise<number> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await readFile(`/proc/${entry}/cmdline`, 'utf8').then((text) => text.split('\0'), (): string[] => []);
    const program = args[0]?.split('/').pop();
    if (program === 'icecast2' && args.includes(server.configPath)) pids.push(Number(entry));
  }
  if (pids.length !== 1) throw new Error(`expected one icecast2 -c ${server.configPath}, found ${pids.length}`);
  return pids[0]!;
}

/**
 * Gives the running Icecast a new source password the way compose does: rewrites its config file and sends
 * SIGHUP, on which Icecast 2.4 reads its config again (sources already connected stay; new ones need the new
 * password).
 */
export async function changeSourcePassword(server: Pick<IcecastServer, 'configPath'>, password: string): Promise<void> {
  const config = await readFile(server.configPath, 'utf8');
  const changed = config.replace(/<source-password>[^<]*<\/source-password>/, `<source-password>${password}</source-password>`);
  if (changed === config) throw new Error(`no <source-password> to change in ${server.configPath}`);
  await writeFile(server.configPath, changed);
  process.kill(await icecastPid(server), 'SIGHUP');
}

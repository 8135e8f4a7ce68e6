#!/usr/bin/env node
/**
 * `relaycast-healthcheck [relay|station|web]`: the image's HEALTHCHECK. Without an argument it checks whatever
 * relaycast command the container runs. Prints one line (Docker keeps it in `docker inspect`), exits 0 when
 * healthy, 1 when not, 2 for a bad argument.
 */
import { checkHealth, detectRole, type HealthRole } from './healthcheck.js';

const ROLES: readonly HealthRole[] = ['relay', 'station', 'web'];

async function main(argv: readonly string[]): Promise<number> {
  const arg = argv[2];
  if (arg !== undefined && !(ROLES as readonly string[]).includes(arg)) {
    process.stderr.write(`relaycast-healthcheck: unknown role ${JSON.stringify(arg)}: expected ${ROLES.join(', ')}\n`);
    return 2;
  }
  const role = (arg as HealthRole | undefined) ?? (await detectRole());
  const result = await checkHealth(role, process.env);
  process.stdout.write(`${result.healthy ? 'healthy' : 'unhealthy'}: ${result.detail}\n`);
  return result.healthy ? 0 : 1;
}

process.exitCode = await main(process.argv);

import { ConfigError } from '../errors.js';

/** The master Icecast an edge relays every station from: the address the edge connects to, as a listener. */
export interface EdgeMaster {
  readonly host: string;
  readonly port: number;
}

/** A host name or IPv4 address (no scheme, no path, no user): what Icecast's <relay><server> takes. */
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** `icecast:8000` → { host: 'icecast', port: 8000 }; anything else is a ConfigError naming `key`. */
export function parseEdgeMaster(value: string, key = 'ICECAST_EDGE_MASTER'): EdgeMaster {
  const match = /^([^:]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || !HOST.test(match[1]!) || port < 1 || port > 65535) {
    throw new ConfigError(key, `must be host:port of the master Icecast (e.g. icecast:8000), got ${JSON.stringify(value.slice(0, 80))}`);
  }
  return { host: match[1]!, port };
}

import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of the relay are believed when they name the client in `X-Forwarded-For`:
 * a number of hops (the last N addresses of the chain are proxies), or the proxies' addresses and CIDR
 * ranges. Unset, the header is ignored: anyone can write it.
 */
export type TrustProxy = number | readonly string[];

/** Most X-Forwarded-For entries looked at, from the right: a chain longer than this is forged anyway. */
const MAX_FORWARDED_ENTRIES = 32;

/** `10.0.0.2`, `::1` or a CIDR range such as `10.0.0.0/8`, `fd00::/8`. */
export function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The address a request's rate limit keys on: the TCP peer, or behind trusted proxies the address the
 * nearest untrusted hop had. Entries right of it were appended by the proxies themselves; entries left of
 * it were written by the client and are never believed.
 */
export function createClientAddress(
  trust: TrustProxy | undefined,
): (peer: string | undefined, forwardedFor: string | readonly string[] | undefined) => string {
  const trusted = typeof trust === 'object' ? blockListOf(trust) : undefined;
  return (peer, forwardedFor) => {
    const direct = unmapped(peer ?? 'unknown');
    if (trust === undefined || !forwardedFor) return direct;
    // Node joins repeated X-Forwarded-For headers with ", "; the typings still allow a list.
    const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
    const chain = [...header.split(',').slice(-MAX_FORWARDED_ENTRIES).map((entry) => unmapped(entry.trim())), direct];
    let index = chain.length - 1;
    if (typeof trust === 'number') index = Math.max(0, index - trust);
    else while (index > 0 && isTrusted(trusted, chain[index] as string)) index -= 1;
    const client = chain[index] as string;
    // A proxy writes addresses; anything else came from the client: key on the last proxy instead.
    return isIP(client) ? client : direct;
  };
}

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', prefix] = range.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(unmapped(address), family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function isTrusted(list: BlockList | undefined, address: string): boolean {
  const family = isIP(address);
  return list !== undefined && family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; one client, one key. */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { HttpEnv } from '../env.ts';

/**
 * The client's address for the per-client lockout. From the TCP connection, unless the connection
 * comes from one of `JOINERY_TRUSTED_PROXIES`: then from X-Forwarded-For, which only a trusted proxy's
 * word makes believable (any client can write the header). In-process requests (`app.request()` in
 * tests) have no connection: 'unknown'.
 */
export function clientAddress(c: Context<HttpEnv>): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    return 'unknown';
  }
  if (!peer) return 'unknown';
  return normalizeAddress(forwardedClient(peer, c.req.header('x-forwarded-for'), c.get('trustedProxies')));
}

/** An address as compared with the trusted list: trimmed, lower case, mapped IPv4 as IPv4. */
export const plainAddress = (address: string) =>
  address
    .trim()
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')
    .toLowerCase();

/**
 * The address a request came from through trusted proxies: walking X-Forwarded-For from the right
 * (each proxy appends the address it received from), the first address that is not a trusted proxy.
 * A malformed entry stops the walk at the last address known good; all proxies: the leftmost.
 */
export function forwardedClient(
  peer: string,
  forwardedFor: string | undefined,
  trusted: ReadonlySet<string> | undefined,
): string {
  let client = plainAddress(peer);
  if (!trusted?.has(client) || !forwardedFor) return client;
  const hops = forwardedFor.split(',').map(plainAddress).reverse();
  for (const hop of hops) {
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted.has(hop)) return hop;
  }
  return client;
}

/**
 * IPv4 as it is; IPv4 mapped into IPv6 (`::ffff:a.b.c.d`) as IPv4; other IPv6 by its /64, which one
 * subscriber usually holds whole (counting single IPv6 addresses would let one client rotate freely).
 */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

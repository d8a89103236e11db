import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The client's address for the per-client lockout, from the TCP connection. X-Forwarded-For is not
 * read: any client can write it, and there is no setting yet that says which proxy to believe. Behind
 * a reverse proxy every client therefore shares the proxy's address (see docs/activation.md).
 * In-process requests (`app.request()` in tests) have no connection: 'unknown'.
 */
export function clientAddress(c: Context): string {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    return 'unknown';
  }
  return address ? normalizeAddress(address) : 'unknown';
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

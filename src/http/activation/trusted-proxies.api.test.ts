import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { loadConfig } from '../../config/index.ts';
import { systemContext, unwrap } from '../../core/index.ts';
import { userCreateSchema } from '../../directory/index.ts';
import { forwardedClient } from './client.ts';

/** The per-client activation lockout behind a reverse proxy (JOINERY_TRUSTED_PROXIES). */
describe('which address a request comes from', () => {
  const trusted = new Set(['10.0.0.1', '10.0.0.2']);

  it('is the connection when it is no trusted proxy, whatever X-Forwarded-For says', () => {
    expect(forwardedClient('203.0.113.9', '198.51.100.1', trusted)).toBe('203.0.113.9');
    expect(forwardedClient('10.0.0.1', '198.51.100.1', undefined)).toBe('10.0.0.1');
  });

  it('through trusted proxies, is the last address in X-Forwarded-For that is not one', () => {
    expect(forwardedClient('10.0.0.1', '198.51.100.1', trusted)).toBe('198.51.100.1');
    // A client that writes its own header cannot hide behind it: the proxy appends the real address.
    expect(forwardedClient('10.0.0.1', '192.0.2.66, 198.51.100.1, 10.0.0.2', trusted)).toBe('198.51.100.1');
    expect(forwardedClient('::ffff:10.0.0.1', ' 198.51.100.1 ', trusted)).toBe('198.51.100.1');
    expect(forwardedClient('10.0.0.1', '10.0.0.2', trusted)).toBe('10.0.0.2');
  });

  it('stops at a malformed entry, and without a header is the proxy itself', () => {
    expect(forwardedClient('10.0.0.1', 'bogus, 198.51.100.1', trusted)).toBe('198.51.100.1');
    expect(forwardedClient('10.0.0.1', 'bogus', trusted)).toBe('10.0.0.1');
    expect(forwardedClient('10.0.0.1', undefined, trusted)).toBe('10.0.0.1');
  });

  it('JOINERY_TRUSTED_PROXIES takes addresses only, with a clear error', () => {
    expect(loadConfig({ JOINERY_TRUSTED_PROXIES: '10.0.0.1, ::1' }).trustedProxies).toEqual([
      '10.0.0.1',
      '::1',
    ]);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(() => loadConfig({ JOINERY_TRUSTED_PROXIES: '10.0.0.0/8' })).toThrow(
      /JOINERY_TRUSTED_PROXIES.*not an IP address/s,
    );
  });
});

describe('the lockout per client behind a trusted proxy, over real HTTP', () => {
  let t: TestApp;
  let url: string;
  const adminCtx = systemContext('proxy-test');
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        JOINERY_TRUSTED_PROXIES: '127.0.0.1',
        JOINERY_HOST: '127.0.0.1',
        JOINERY_PORT: '0',
        JOINERY_ACTIVATION_CLIENT_MAX_FAILURES: '3',
        JOINERY_ACTIVATION_MAX_FAILURES: '100',
      },
    });
    url = (await t.app.start()).url as string;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function starter() {
    const input = userCreateSchema.parse({
      userName: `proxy.starter${++seq}@example.com`,
      employeeId: `P${seq}`,
    });
    const user = unwrap(await t.app.directory.createUser(adminCtx, input));
    unwrap(await t.app.activation.reissue(adminCtx, user.id));
    return user;
  }

  const verify = (userName: string, forwardedFor: string) =>
    fetch(`${url}/api/v1/activation/verify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
      body: JSON.stringify({ userName, code: 'WRONG-CODE', fact: 'nope' }),
    });

  it('locks out the client that keeps failing, not everyone behind the proxy', async () => {
    const people = [await starter(), await starter(), await starter()];
    for (const p of people.slice(0, 2)) expect((await verify(p.userName, '198.51.100.7')).status).toBe(401);
    // The third failure from that client reaches the limit: refused and locked.
    const locked = await verify((people[2] as { userName: string }).userName, '198.51.100.7');
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('activation.locked');
    // Another client behind the same proxy is not locked out.
    const other = await verify((people[2] as { userName: string }).userName, '198.51.100.8');
    expect(other.status).toBe(401);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
      'activation.invalid_credentials',
    );
  });
});

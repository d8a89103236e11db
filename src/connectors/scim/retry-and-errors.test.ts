import { afterEach, describe, expect, it } from 'vitest';
import { type Script, type ScriptedServer, startScriptedServer, withDiscovery } from './scripted-server.ts';
import { failed, ok, testConnector } from './test-connector.ts';

const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u1', userName: 'a@example.com' };
const scimError = (status: number, detail: string, scimType?: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  status: String(status),
  detail,
  ...(scimType ? { scimType } : {}),
});

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

async function start(script: Script) {
  server = await startScriptedServer(withDiscovery(script));
  return server;
}
const userCalls = () => server.requests.filter((r) => r.path.startsWith('/scim/Users'));

describe('429 Too Many Requests (RFC 6585 §4, Retry-After RFC 9110 §10.2.3)', () => {
  it('waits the Retry-After seconds and retries within the call', async () => {
    await start((_, n) =>
      n <= 1 ? { status: 429, headers: { 'Retry-After': '2' } } : { status: 200, body: user },
    );
    const { connector, sleeps } = testConnector({ baseUrl: server.url });
    expect(ok(await connector.get('user', 'u1'))?.id).toBe('u1');
    expect(sleeps).toEqual([2000]);
  });

  it('understands an HTTP-date Retry-After', async () => {
    const at = new Date(Date.now() + 5_000).toUTCString();
    await start((_, n) =>
      n <= 1 ? { status: 429, headers: { 'Retry-After': at } } : { status: 200, body: user },
    );
    const { connector, sleeps } = testConnector({ baseUrl: server.url });
    ok(await connector.get('user', 'u1'));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(3_000);
    expect(sleeps[0]).toBeLessThanOrEqual(5_000);
  });

  it('gives up after maxRetries with rate_limited, retryable, and the wait the target asked for', async () => {
    await start(() => ({ status: 429, headers: { 'Retry-After': '1' }, body: scimError(429, 'slow down') }));
    const { connector, sleeps } = testConnector({ baseUrl: server.url, maxRetries: 2 });
    const failure = failed(await connector.get('user', 'u1'));
    expect(failure).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 1000, status: 429 });
    expect(failure.message).toContain('slow down');
    expect(userCalls()).toHaveLength(3);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('does not wait out a Retry-After longer than maxRetryAfterMs: the engine reschedules', async () => {
    await start(() => ({ status: 429, headers: { 'Retry-After': '120' } }));
    const { connector, sleeps } = testConnector({ baseUrl: server.url, maxRetryAfterMs: 30_000 });
    expect(failed(await connector.get('user', 'u1'))).toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 120_000,
    });
    expect(userCalls()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('5xx and lost connections', () => {
  it('retries a 503 with backoff, then succeeds', async () => {
    await start((_, n) => (n <= 1 ? { status: 503 } : { status: 200, body: user }));
    const { connector, sleeps } = testConnector({ baseUrl: server.url });
    ok(await connector.get('user', 'u1'));
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
  });

  it('backs off exponentially and ends with server, retryable', async () => {
    await start(() => ({ status: 500, body: scimError(500, 'database down') }));
    const { connector, sleeps } = testConnector({ baseUrl: server.url, maxRetries: 3 });
    const failure = failed(await connector.get('user', 'u1'));
    expect(failure).toMatchObject({ code: 'server', retryable: true, status: 500 });
    expect(failure.message).toContain('database down');
    expect(sleeps).toHaveLength(3);
    expect(sleeps[2]!).toBeGreaterThan(sleeps[0]!);
  });

  it('does not resend a POST after a 500 (it may have created the object), but does after a 503', async () => {
    await start(() => ({ status: 500 }));
    const first = testConnector({ baseUrl: server.url });
    expect(failed(await first.connector.create('user', { userName: 'x' }))).toMatchObject({ code: 'server' });
    expect(userCalls()).toHaveLength(1);
    server.script(withDiscovery((_, n) => (n <= 4 ? { status: 503 } : { status: 201, body: user })));
    ok(await first.connector.create('user', { userName: 'x' }));
  });

  it('answers unreachable, retryable, when the target does not answer in time', async () => {
    await start(() => 'hang');
    const { connector } = testConnector({ baseUrl: server.url, timeoutMs: 200, maxRetries: 1 });
    const failure = failed(await connector.delete('user', 'u1'));
    expect(failure).toMatchObject({ code: 'unreachable', retryable: true });
    expect(failure.message).toContain('timed out after 200 ms');
    expect(userCalls()).toHaveLength(2);
  });

  it('answers unreachable when nothing listens', async () => {
    await start(() => ({ status: 200 }));
    const url = server.url;
    await server.close();
    const { connector } = testConnector({ baseUrl: url, maxRetries: 1 });
    expect(failed(await connector.get('user', 'u1'))).toMatchObject({ code: 'unreachable', retryable: true });
  });
});

describe('status codes (RFC 7644 §3.12)', () => {
  it.each([
    [401, 'auth', false],
    [403, 'forbidden', false],
    [400, 'invalid', false],
    [409, 'conflict', false],
  ] as const)('%i is %s, retryable %s, with the target detail', async (status, code, retryable) => {
    await start(() => ({
      status,
      body: scimError(status, `because ${status}`, status === 409 ? 'uniqueness' : undefined),
    }));
    const { connector } = testConnector({ baseUrl: server.url });
    const failure = failed(await connector.create('user', { userName: 'x' }));
    expect(failure).toMatchObject({ code, retryable, status });
    expect(failure.message).toContain(`because ${status}`);
    expect(userCalls()).toHaveLength(1);
  });

  it('get answers null for 404; delete of a missing object is success', async () => {
    await start(() => ({ status: 404, body: scimError(404, 'no such user') }));
    const { connector } = testConnector({ baseUrl: server.url });
    expect(ok(await connector.get('user', 'u1'))).toBeNull();
    ok(await connector.delete('user', 'u1'));
  });

  it('never puts a credential in a failure message, even when the target echoes it', async () => {
    await start((req) => ({
      status: 400,
      body: scimError(400, `bad request with ${String(req.headers.authorization)}`),
    }));
    const { connector } = testConnector({ baseUrl: server.url, headers: { 'X-Api-Key': 'gateway-key-987' } });
    const failure = failed(await connector.create('user', { userName: 'x' }));
    expect(failure.message).not.toContain('tok-secret-123');
    expect(failure.message).toContain('Bearer ***');
    const echoKey = await startScriptedServer(() => ({
      status: 403,
      body: scimError(403, 'key gateway-key-987 denied'),
    }));
    const other = testConnector({ baseUrl: echoKey.url, headers: { 'X-Api-Key': 'gateway-key-987' } });
    expect(failed(await other.connector.get('user', 'u1')).message).not.toContain('gateway-key-987');
    await echoKey.close();
  });

  it('sends SCIM media types and the configured extra headers', async () => {
    await start(() => ({ status: 201, body: user }));
    const { connector } = testConnector({ baseUrl: server.url, headers: { 'X-Tenant': 't1' } });
    ok(await connector.create('user', { userName: 'a@example.com' }));
    const post = userCalls()[0]!;
    expect(post.headers['content-type']).toBe('application/scim+json');
    expect(post.headers.accept).toBe('application/scim+json, application/json');
    expect(post.headers['x-tenant']).toBe('t1');
    expect(post.headers.authorization).toBe('Bearer tok-secret-123');
  });
});

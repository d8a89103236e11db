import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs } from './http.ts';
import { type HttpJsonPullConfig, PullError, type PullFailure, pullHttpJson } from './index.ts';
import {
  collect,
  collectFailure,
  recordingSleep,
  sendJson,
  startServer,
  type TestServer,
} from './test-support.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const rows = [
  { sys_id: 'a1', user_name: 'ann' },
  { sys_id: 'b2', user_name: 'bob' },
];

const config = (base: string, extra: Partial<HttpJsonPullConfig> = {}): HttpJsonPullConfig => ({
  url: `${base}/api/now/table/sys_user`,
  auth: { type: 'bearer', token: 'tok-secret-123' },
  recordsPath: 'result',
  paging: { type: 'none' },
  ...extra,
});

/** Serves `script` responses in order, then the last one forever. */
function scripted(script: ((res: Parameters<typeof sendJson>[0]) => void)[]) {
  let call = 0;
  return startServer((_req, res) => {
    const step = script[Math.min(call, script.length - 1)];
    call += 1;
    step?.(res);
  });
}

const okRows = (res: Parameters<typeof sendJson>[0]) => sendJson(res, 200, { result: rows });

async function failureOf(pull: ReturnType<typeof pullHttpJson>): Promise<PullFailure> {
  const { error } = await collectFailure(pull);
  expect(error).toBeInstanceOf(PullError);
  return (error as PullError).failure;
}

describe('retries', () => {
  it('waits for Retry-After seconds on 429, then succeeds', async () => {
    server = await scripted([
      (res) => sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '2' }),
      okRows,
    ]);
    const { waits, sleep } = recordingSleep();
    const result = await collect(pullHttpJson(config(server.base), { sleep }));
    expect(result.records).toEqual(rows);
    expect(waits).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const now = new Date('2024-03-01T10:00:00Z');
    const later = new Date(now.getTime() + 7000).toUTCString();
    server = await scripted([(res) => sendJson(res, 429, {}, { 'retry-after': later }), okRows]);
    const { waits, sleep } = recordingSleep();
    await collect(pullHttpJson(config(server.base), { sleep, now: () => now }));
    expect(waits).toEqual([7000]);
  });

  it('retries a 503 with jittered exponential backoff', async () => {
    server = await scripted([
      (res) => sendJson(res, 503, 'Service Unavailable'),
      (res) => sendJson(res, 502, 'Bad Gateway'),
      okRows,
    ]);
    const { waits, sleep } = recordingSleep();
    const result = await collect(pullHttpJson(config(server.base), { sleep, retryBaseMs: 100 }));
    expect(result.records).toEqual(rows);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('really sleeps between tries when no sleep is injected', async () => {
    server = await scripted([(res) => sendJson(res, 503, 'busy'), okRows]);
    const started = Date.now();
    const result = await collect(pullHttpJson(config(server.base), { retryBaseMs: 40 }));
    expect(result.records).toEqual(rows);
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
  });

  it('gives up after maxAttempts with a retryable failure', async () => {
    server = await scripted([(res) => sendJson(res, 503, 'down for maintenance')]);
    const { sleep } = recordingSleep();
    const failure = await failureOf(pullHttpJson(config(server.base), { sleep, maxAttempts: 3 }));
    expect(failure).toMatchObject({ retryable: true, status: 503 });
    expect(failure.message).toContain('gave up after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('does not wait past the retry budget', async () => {
    server = await scripted([(res) => sendJson(res, 429, {}, { 'retry-after': '3600' }), okRows]);
    const { waits, sleep } = recordingSleep();
    const failure = await failureOf(pullHttpJson(config(server.base), { sleep, maxRetryWaitMs: 60_000 }));
    expect(failure).toMatchObject({ retryable: true, status: 429 });
    expect(failure.message).toContain('over the retry budget');
    expect(waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a request that times out', async () => {
    let call = 0;
    server = await startServer((_req, res) => {
      call += 1;
      if (call === 1) setTimeout(() => okRows(res), 3000);
      else okRows(res);
    });
    const { sleep } = recordingSleep();
    const result = await collect(pullHttpJson(config(server.base, { timeoutMs: 400 }), { sleep }));
    expect(result.records).toEqual(rows);
    expect(server.requests).toHaveLength(2);
  });

  it('stops at once when the caller aborts', async () => {
    server = await startServer((_req, res) => {
      setTimeout(() => okRows(res), 2000);
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const failure = await failureOf(pullHttpJson(config(server.base), { signal: controller.signal }));
    expect(failure).toMatchObject({ message: 'pull aborted', retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('parses Retry-After and bounds the backoff', () => {
    const now = new Date('2024-03-01T10:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('Fri, 01 Mar 2024 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 01 Mar 2024 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
    expect(backoffMs(1, 500, () => 0)).toBe(250);
    expect(backoffMs(3, 500, () => 1)).toBe(2000);
    expect(backoffMs(20, 500, () => 1)).toBe(30_000);
  });
});

describe('permanent failures', () => {
  it('fails a 400 once, with the status and a body excerpt', async () => {
    server = await scripted([
      (res) =>
        sendJson(res, 400, {
          error: { message: 'Invalid query: unknown field u_cost_centre' },
          status: 'failure',
        }),
    ]);
    const failure = await failureOf(pullHttpJson(config(server.base), {}));
    expect(failure).toMatchObject({
      retryable: false,
      status: 400,
      url: `${server.base}/api/now/table/sys_user`,
    });
    expect(failure.message).toContain('failed with status 400');
    expect(failure.message).toContain('unknown field u_cost_centre');
    expect(server.requests).toHaveLength(1);
  });

  it('scrubs credentials a server echoes back', async () => {
    server = await startServer((req, res) =>
      sendJson(res, 403, { error: `no access for ${req.headers.authorization}` }),
    );
    const failure = await failureOf(
      pullHttpJson(config(server.base, { query: { api_key: 'k-987654' } }), {}),
    );
    expect(failure.message).toContain('no access for Bearer ***');
    expect(JSON.stringify(failure)).not.toContain('tok-secret-123');
    expect(JSON.stringify(failure)).not.toContain('k-987654');
  });

  it('rejects a body that is not JSON', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"result": [ {"sys_id": "a1"}, ');
    });
    const failure = await failureOf(pullHttpJson(config(server.base), {}));
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/returned a body that is not JSON/);
  });

  it('names a records path that is missing', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { result: rows }));
    const failure = await failureOf(pullHttpJson(config(server.base, { recordsPath: 'd.results' }), {}));
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('recordsPath "d.results" is missing');
  });

  it('names a records path that is not an array of objects', async () => {
    server = await startServer((req, res) =>
      sendJson(res, 200, req.url.searchParams.has('x') ? { result: [1] } : { result: { sys_id: 'a1' } }),
    );
    const notArray = await failureOf(pullHttpJson(config(server.base), {}));
    expect(notArray.message).toContain('recordsPath "result" in the response from');
    expect(notArray.message).toContain('is an object, not an array');
    const notObjects = await failureOf(pullHttpJson(config(server.base, { query: { x: '1' } }), {}));
    expect(notObjects.message).toContain('recordsPath "result"[0]');
  });
});

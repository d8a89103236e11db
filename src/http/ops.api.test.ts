import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('operations endpoints', () => {
  it('/healthz answers without a token and echoes a request id', async () => {
    const res = await t.call('GET', '/healthz', { headers: { 'X-Request-Id': 'probe-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('probe-1');
  });

  it('/readyz reports the database and migrations', async () => {
    const res = await t.call('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true } },
    });
  });

  it('/metrics exposes HTTP, job and event figures in Prometheus text', async () => {
    const admin = await t.token(['admin']);
    await t.call('GET', '/api/v1/users', { token: admin });
    const res = await t.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /joinery_http_requests_total\{method="GET",route="\/api\/v1\/users",status="200"\} 1/,
    );
    expect(text).toContain('joinery_http_request_duration_seconds_bucket');
    expect(text).toMatch(/joinery_events_backlog\{subscriber="metrics"\} \d+/);
    expect(text).toContain('joinery_jobs_queued');
    expect(text).toContain('joinery_process_cpu_seconds_total');
  });

  it('answers unknown routes with a catalogued 404', async () => {
    const res = await t.call('GET', '/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request.not_found');
  });
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/index.ts';
import { createMetrics } from '../ops/index.ts';
import type { HttpEnv } from './env.ts';
import { requestScope } from './middleware.ts';

/** The access log: one line per request, without the credentials some paths carry. */
describe('access log', () => {
  function appLogging(lines: Record<string, unknown>[]) {
    const logger = createLogger('info', {
      write: (line: string) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    const app = new Hono<HttpEnv>();
    app.use('*', requestScope(logger, createMetrics()));
    app.post('/api/v1/workflows/callbacks/:token', (c) => c.json({ ok: true }));
    app.get('/api/v1/workflows/:id', (c) => c.json({ ok: true }));
    return app;
  }

  it("a workflow callback's single-use token is logged as [redacted]", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = appLogging(lines);
    const token = 'Zq3xP0secretTokenValue-abcdefghijklmnopqrstuvwxyz';
    expect((await app.request(`/api/v1/workflows/callbacks/${token}`, { method: 'POST' })).status).toBe(200);
    const request = lines.find((l) => l.msg === 'request');
    expect(request).toMatchObject({ path: '/api/v1/workflows/callbacks/[redacted]', status: 200 });
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('other paths are logged as they came', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = appLogging(lines);
    await app.request('/api/v1/workflows/0b6c0c3e-2f6e-4a44-9d0b-6f0e4f0a1b2c');
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({
      path: '/api/v1/workflows/0b6c0c3e-2f6e-4a44-9d0b-6f0e4f0a1b2c',
    });
  });
});

import type { Hono } from 'hono';
import type { Metrics } from '../ops/index.ts';
import type { HttpEnv } from './env.ts';

export interface ReadinessCheck {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** Liveness, readiness and Prometheus metrics: unauthenticated, as orchestrators and scrapers expect. */
export function opsRoutes(
  app: Hono<HttpEnv>,
  metrics: Metrics,
  readiness: () => Promise<ReadinessCheck>,
): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const result = await readiness();
    return c.json(
      { status: result.ready ? 'ready' : 'not ready', checks: result.checks },
      result.ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.text(text, 200, { 'Content-Type': metrics.registry.contentType });
  });
}

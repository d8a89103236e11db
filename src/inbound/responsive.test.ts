import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundTestApp, type InboundTestApp, worker } from '../../test/inbound.ts';

let t: InboundTestApp;

beforeAll(async () => {
  t = await createInboundTestApp({ env: { JOINERY_INBOUND_BATCH_SIZE: '25' } });
});
afterAll(async () => {
  await t.close();
});

describe('the server stays responsive while it drains', () => {
  it('answers a request between batches instead of after the whole drain (PGlite runs queries synchronously)', async () => {
    const server = serve({ fetch: t.app.http.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let r = 0; r < 8; r++) {
      await t.bulkUpload(Array.from({ length: 50 }, (_, i) => worker(`S${r}-${i}`)));
    }
    let drained = false;
    const drain = t.app.inbound.drain('hr').then(() => {
      drained = true;
    });
    // Over a real socket: a request is only read when the event loop polls for I/O.
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(drained).toBe(false);
    await drain;
    const runs = (await (
      await t.call('GET', '/api/v1/inbound/runs?status=completed', { token: t.upload })
    ).json()) as { items: unknown[] };
    expect(runs.items).toHaveLength(8);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

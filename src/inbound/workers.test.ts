import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { bulkBody, type RunBody, worker } from '../../test/inbound.ts';
import { systemContext } from '../core/index.ts';

let t: TestApp;
let upload: string;
let admin: string;

beforeAll(async () => {
  // Real workers: the drain job runs on the queue, as in production (no explicit drain here).
  t = await createTestApp({ mode: 'work' });
  await t.app.start();
  await t.app.inbound.ensureDefaultSource(systemContext('test'));
  upload = await t.token(['inbound.upload']);
  admin = await t.token(['admin']);
});
afterAll(async () => {
  await t.close();
});

async function waitFor(runId: string, status: string): Promise<RunBody> {
  for (let i = 0; i < 300; i++) {
    const res = await t.call('GET', `/api/v1/inbound/runs/${runId}`, { token: upload });
    const run = (await res.json()) as RunBody;
    if (run.status === status) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} never reached ${status}`);
}

describe('processing by the job workers', () => {
  it('applies concurrent uploads through the queue, every record once, in arrival order per person', async () => {
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const people = Array.from({ length: 20 }, (_, k) => worker(`W${k}`, { title: `T${i}` }));
      const res = await t.call('POST', '/api/v1/inbound/sources/hr/bulkUpload', {
        token: upload,
        body: bulkBody(people),
        headers: { 'Content-Type': 'application/scim+json' },
      });
      expect(res.status).toBe(202);
      sent.push(((await res.json()) as RunBody).id);
    }
    const runs = await Promise.all(sent.map((id) => waitFor(id, 'completed')));
    expect(runs[0]?.counts).toEqual({ created: 20 });
    for (const run of runs.slice(1)) expect(run.counts).toEqual({ updated: 20 });
    const res = await t.call('GET', '/api/v1/users?limit=100', { token: admin });
    const users = ((await res.json()) as { items: { employeeId: string; title: string }[] }).items.filter(
      (u) => u.employeeId?.startsWith('W'),
    );
    expect(users).toHaveLength(20);
    expect(new Set(users.map((u) => u.title))).toEqual(new Set(['T5']));
  });
});

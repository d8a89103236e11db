import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';
import { DAY_MS, fakeClock, systemContext } from './core/index.ts';

const clock = fakeClock('2026-03-01T09:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ mode: 'work', clock, env: { JOINERY_EVENT_POLL_MS: '50' } });
  await t.app.start();
});
afterAll(async () => {
  await t.close();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('the composed app (workers)', () => {
  it('delivers directory events to the subscribers registered in app.ts', async () => {
    const ctx = systemContext('app-test');
    const created = await t.app.directory.createUser(ctx, { userName: 'events@example.com' });
    expect(created.ok).toBe(true);
    await until(async () => {
      const text = await t.app.metrics.registry.getSingleMetricAsString('joinery_events_delivered_total');
      return /type="user.created"} [1-9]/.test(text) ? true : undefined;
    }, 'the metrics subscriber to see user.created');
    const backlog = await t.app.dispatcher.backlog();
    expect(backlog.metrics).toBe(0);
  });

  it('runs the purge job: users deleted longer ago than the retention period are removed', async () => {
    const ctx = systemContext('app-test');
    const old = await t.app.directory.createUser(ctx, { userName: 'old-leaver@example.com' });
    const recent = await t.app.directory.createUser(ctx, { userName: 'recent-leaver@example.com' });
    if (!old.ok || !recent.ok) throw new Error('setup failed');
    await t.app.directory.deleteUser(ctx, old.value.id);
    clock.advance(31 * DAY_MS);
    await t.app.directory.deleteUser(ctx, recent.value.id);
    await t.app.jobs.send('directory.purge', {});
    await until(async () => {
      const row = await t.app.database.db
        .selectFrom('users')
        .select('id')
        .where('id', '=', old.value.id)
        .executeTakeFirst();
      return row ? undefined : true;
    }, 'the purge job to remove the old leaver');
    const kept = await t.app.directory.getUser(recent.value.id, { includeDeleted: true });
    expect(kept.ok).toBe(true);
    const audit = await t.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('target_id', '=', old.value.id)
      .where('action', '=', 'user.purge')
      .execute();
    expect(audit).toEqual([{ action: 'user.purge', actor_type: 'system' }]);
  });
});

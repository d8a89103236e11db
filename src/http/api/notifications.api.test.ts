import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { systemContext } from '../../core/index.ts';

let t: TestApp;
let admin: string;
let ids: string[] = [];
const person = {
  userName: 'ana',
  displayName: 'Ana',
  givenName: 'Ana',
  familyName: null,
  mail: null,
  department: null,
  title: null,
  employeeHireDate: null,
  employeeLeaveDateTime: null,
  timezone: null,
};

beforeAll(async () => {
  t = await createTestApp();
  // The queue open for sending, no workers: the deliveries stay queued for the log to show.
  await t.app.jobs.start({ work: false });
  admin = await t.token(['admin']);
  const queued = await t.app.database.db.transaction().execute((tx) =>
    t.app.notifications.queue(tx, systemContext('test'), [
      {
        to: 'ana@home.example',
        template: 'welcome',
        vars: { user: person, manager: null },
        purpose: 'welcome',
      },
      {
        to: 'boss@example.com',
        template: 'managerOnLastDay',
        vars: { user: person, manager: null },
        locale: 'de',
      },
    ]),
  );
  if (!queued.ok) throw new Error(queued.error.message);
  ids = queued.value;
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/notifications/deliveries (the delivery log)', () => {
  it('lists deliveries newest first, filtered by recipient, with the rendered text', async () => {
    const all = await t.call('GET', '/api/v1/notifications/deliveries', { token: admin });
    expect(all.status).toBe(200);
    const body = (await all.json()) as { items: Array<{ id: string; to: string; status: string }> };
    expect(body.items.map((d) => d.id).sort()).toEqual([...ids].sort());
    const one = await t.call('GET', '/api/v1/notifications/deliveries?to=ANA@home.example', { token: admin });
    const filtered = (await one.json()) as { items: Array<{ to: string; subject: string; status: string }> };
    expect(filtered.items).toHaveLength(1);
    expect(filtered.items[0]).toMatchObject({ to: 'ana@home.example', status: 'queued' });
  });

  it('reads one delivery; an unknown id is 404 with its code', async () => {
    const res = await t.call('GET', `/api/v1/notifications/deliveries/${ids[1]}`, { token: admin });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { locale: string }).locale).toBe('de');
    const missing = await t.call(
      'GET',
      '/api/v1/notifications/deliveries/0190a7e4-0000-7000-8000-000000000000',
      {
        token: admin,
      },
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'notifications.delivery_not_found',
    );
  });

  it('needs the admin scope and refuses bad filters', async () => {
    expect((await t.call('GET', '/api/v1/notifications/deliveries')).status).toBe(401);
    const reader = await t.token(['directory.read']);
    expect((await t.call('GET', '/api/v1/notifications/deliveries', { token: reader })).status).toBe(403);
    const bad = await t.call('GET', '/api/v1/notifications/deliveries?status=lost', { token: admin });
    expect(bad.status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInboundTestApp,
  ENTERPRISE,
  type InboundTestApp,
  JOINERY_EXT,
  worker,
} from '../../test/inbound.ts';
import { fakeClock, systemContext } from '../core/index.ts';

const clock = fakeClock('2026-06-01T09:00:00Z');
let t: InboundTestApp;

beforeAll(async () => {
  t = await createInboundTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

async function lifecycleEvents(
  userId: string,
): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const rows = await t.app.database.db
    .selectFrom('events')
    .select(['type', 'payload'])
    .where('aggregate_id', '=', userId)
    .where('type', 'like', 'lifecycle.%')
    .orderBy('id')
    .execute();
  return rows as { type: string; payload: Record<string, unknown> }[];
}

async function one(user: Record<string, unknown>) {
  const run = await t.bulkUpload([user]);
  const done = await t.settle(run.id);
  expect(done.status).toBe('completed');
  const op = done.operations[0];
  if (!op) throw new Error('no operation');
  return op;
}

describe('joiner / mover / leaver / rehire / conversion', () => {
  it('a new person is a joiner: created, with a lifecycle.joiner event', async () => {
    const op = await one(worker('J1', { given: 'Ada', family: 'Lovelace' }));
    expect(op).toMatchObject({ status: 'created', lifecycle: 'joiner', personKey: 'J1' });
    const user = await t.getUserByEmployeeId('J1');
    expect(user).toMatchObject({
      userName: 'ada.lovelace@example.com',
      givenName: 'Ada',
      department: 'Engineering',
      accountEnabled: true,
    });
    expect((await lifecycleEvents(op.userId as string)).map((e) => e.type)).toEqual(['lifecycle.joiner']);
  });

  it('the same record again is unchanged and raises nothing', async () => {
    const op = await one(worker('J1', { given: 'Ada', family: 'Lovelace' }));
    expect(op).toMatchObject({ status: 'unchanged', lifecycle: null, changed: [] });
    expect(await lifecycleEvents(op.userId as string)).toHaveLength(1);
  });

  it('a changed attribute makes a mover, listing exactly what changed', async () => {
    const op = await one(worker('J1', { given: 'Ada', family: 'Lovelace', title: 'Principal Engineer' }));
    expect(op).toMatchObject({ status: 'updated', lifecycle: 'mover' });
    expect(op.changed).toEqual([
      { attribute: 'title', oldValue: 'Engineer', newValue: 'Principal Engineer' },
    ]);
    const events = await lifecycleEvents(op.userId as string);
    expect(events.at(-1)).toMatchObject({
      type: 'lifecycle.mover',
      payload: { changed: ['title'], sourceId: 'hr' },
    });
  });

  it('an employeeType change is a conversion', async () => {
    const op = await one(
      worker('J1', { given: 'Ada', family: 'Lovelace', title: 'Principal Engineer', userType: 'Contractor' }),
    );
    expect(op).toMatchObject({ status: 'updated', lifecycle: 'conversion' });
    expect(op.changed.map((c) => c.attribute)).toEqual(['employeeType']);
  });

  it('active false is a leaver: disabled, never deleted', async () => {
    const op = await one(
      worker('J1', {
        given: 'Ada',
        family: 'Lovelace',
        title: 'Principal Engineer',
        userType: 'Contractor',
        active: false,
      }),
    );
    expect(op).toMatchObject({ status: 'disabled', lifecycle: 'leaver' });
    const user = await t.getUserByEmployeeId('J1');
    expect(user).toMatchObject({ accountEnabled: false, deletedAt: null });
    expect((await lifecycleEvents(op.userId as string)).at(-1)?.type).toBe('lifecycle.leaver');
  });

  it('the disabled person coming back active is a rehire (enabled)', async () => {
    const op = await one(
      worker('J1', {
        given: 'Ada',
        family: 'Lovelace',
        title: 'Principal Engineer',
        userType: 'Contractor',
        active: true,
      }),
    );
    expect(op).toMatchObject({ status: 'enabled', lifecycle: 'rehire' });
    expect((await t.getUserByEmployeeId('J1'))?.accountEnabled).toBe(true);
  });

  it('a soft-deleted person with the same key is restored, not created again (rehire)', async () => {
    const first = await one(worker('J2', { given: 'Grace', family: 'Hopper' }));
    const deleted = await t.app.directory.deleteUser(systemContext('test'), first.userId as string);
    expect(deleted.ok).toBe(true);
    const op = await one(worker('J2', { given: 'Grace', family: 'Hopper', title: 'Admiral' }));
    expect(op).toMatchObject({ status: 'enabled', lifecycle: 'rehire', userId: first.userId });
    const user = await t.app.directory.getUser(first.userId as string);
    expect(user.ok && user.value.deletedAt).toBeNull();
    expect(user.ok && user.value.title).toBe('Admiral');
  });

  it('a leave date that has passed disables the person even while HR still says active', async () => {
    await one(worker('J3', { given: 'Alan', family: 'Turing' }));
    const op = await one(
      worker('J3', {
        given: 'Alan',
        family: 'Turing',
        [JOINERY_EXT]: { employeeLeaveDateTime: '2026-05-31T17:00:00Z' },
      }),
    );
    expect(op).toMatchObject({ status: 'disabled', lifecycle: 'leaver' });
    const user = await t.getUserByEmployeeId('J3');
    expect(user).toMatchObject({ accountEnabled: false, employeeLeaveDateTime: '2026-05-31T17:00:00.000Z' });
  });

  it('a future leave date changes the date only (a mover until the day comes)', async () => {
    await one(worker('J4', { given: 'Edsger', family: 'Dijkstra' }));
    const op = await one(
      worker('J4', {
        given: 'Edsger',
        family: 'Dijkstra',
        [JOINERY_EXT]: { employeeLeaveDateTime: '2026-07-01T00:00:00Z' },
      }),
    );
    expect(op).toMatchObject({ status: 'updated', lifecycle: 'mover' });
    expect((await t.getUserByEmployeeId('J4'))?.accountEnabled).toBe(true);
  });

  it('records of one person in one request apply in arrival order', async () => {
    const run = await t.bulkUpload([
      worker('J5', { given: 'Barbara', family: 'Liskov', title: 'First' }),
      worker('J5', { given: 'Barbara', family: 'Liskov', title: 'Second' }),
      worker('J5', { given: 'Barbara', family: 'Liskov', title: 'Third' }),
    ]);
    const done = await t.settle(run.id);
    expect(done.operations.map((o) => [o.status, o.lifecycle])).toEqual([
      ['created', 'joiner'],
      ['updated', 'mover'],
      ['updated', 'mover'],
    ]);
    expect((await t.getUserByEmployeeId('J5'))?.title).toBe('Third');
  });

  it('accepts any letter case in attribute names, unknown attributes and custom extensions', async () => {
    const custom = 'urn:ietf:params:scim:schemas:extension:acme:1.0:User';
    const run = await t.bulkUpload([
      {
        SCHEMAS: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE, custom],
        EXTERNALID: 'J6',
        UserName: 'katherine.johnson@example.com',
        NAME: { GIVENNAME: 'Katherine', FamilyName: 'Johnson' },
        favouriteColour: 'teal',
        [ENTERPRISE.toUpperCase()]: { DEPARTMENT: 'Flight Research' },
        [custom]: { badge: 'B-7' },
      },
    ]);
    const done = await t.settle(run.id);
    expect(done.operations[0]).toMatchObject({ status: 'created' });
    expect(await t.getUserByEmployeeId('J6')).toMatchObject({
      userName: 'katherine.johnson@example.com',
      givenName: 'Katherine',
      familyName: 'Johnson',
      department: 'Flight Research',
    });
  });

  it('one bad record fails alone with its reason; the others proceed', async () => {
    const run = await t.bulkUpload([
      worker('J7', { given: 'Radia', family: 'Perlman' }),
      { ...worker('J8'), userName: 'has spaces@example.com' },
      { ...worker('J9'), externalId: undefined },
      worker('J10', { given: 'Frances', family: 'Allen' }),
    ]);
    const done = await t.settle(run.id);
    expect(done.operations.map((o) => o.status)).toEqual(['created', 'failed', 'failed', 'created']);
    expect(done.operations[1]?.error).toMatchObject({ code: 'directory.invalid_value' });
    expect(done.operations[1]?.error?.message).toContain('userName');
    expect(done.operations[2]?.error).toMatchObject({ code: 'inbound.no_matching_value' });
    expect(done.counts).toEqual({ created: 2, failed: 2 });
    expect(await t.getUserByEmployeeId('J8')).toBeUndefined();
  });
});

describe('leave dates and scope', () => {
  it('a leave date sent in advance disables the person when it passes, without a new record', async () => {
    await one(
      worker('J20', {
        given: 'Hedy',
        family: 'Lamarr',
        [JOINERY_EXT]: { employeeLeaveDateTime: '2026-06-01T17:00:00Z' },
      }),
    );
    expect(await t.app.inbound.disableDueLeavers()).toBe(0);
    clock.advance(9 * 60 * 60 * 1000);
    expect(await t.app.inbound.disableDueLeavers()).toBe(1);
    const user = await t.getUserByEmployeeId('J20');
    expect(user).toMatchObject({ accountEnabled: false, deletedAt: null });
    expect((await lifecycleEvents(user?.id as string)).at(-1)).toMatchObject({
      type: 'lifecycle.leaver',
      payload: { reason: 'leaveDateReached' },
    });
    expect(await t.app.inbound.disableDueLeavers()).toBe(0);
  });

  it('a leave date without a time passes at the end of that day in the own zone of the person', async () => {
    // The clock is 2026-06-01T18:00Z after the test above: 11:00 on June 1 in Los Angeles.
    const done = await one(
      worker('J31', {
        given: 'Zelda',
        family: 'Quokka',
        timezone: 'America/Los_Angeles',
        [JOINERY_EXT]: { employeeLeaveDateTime: '2026-06-01T00:00:00Z' },
      }),
    );
    expect(done.status, JSON.stringify(done)).toBe('created');
    const user = await t.getUserByEmployeeId('J31');
    // Midnight UTC has passed, but her last day in Los Angeles has not: she is not a leaver yet.
    expect(user).toMatchObject({ accountEnabled: true });
    expect(await t.app.inbound.disableDueLeavers()).toBe(0);
    // 2026-06-02T00:00 in Los Angeles (PDT, UTC-7) is 07:00 UTC.
    clock.set('2026-06-02T06:59:00Z');
    expect(await t.app.inbound.disableDueLeavers()).toBe(0);
    clock.set('2026-06-02T07:00:00Z');
    expect(await t.app.inbound.disableDueLeavers()).toBe(1);
    expect(await t.getUserByEmployeeId('J31')).toMatchObject({ accountEnabled: false });
  });

  it('a record out of the scoping filter is skipped with the reason, and nothing changes', async () => {
    const res = await t.call('GET', '/api/v1/inbound/sources/hr', { token: t.admin });
    const { config } = (await res.json()) as { config: Record<string, unknown> };
    const put = await t.call('PUT', '/api/v1/inbound/sources/hr', {
      token: t.admin,
      body: {
        ...config,
        scoping: [
          {
            name: 'Employees only',
            clauses: [{ attribute: 'userType', operator: 'EQUALS', value: 'Employee' }],
          },
        ],
      },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const run = await t.bulkUpload([worker('J21', { userType: 'Vendor' }), worker('J22')]);
    const done = await t.settle(run.id);
    expect(done.operations.map((o) => o.status)).toEqual(['skipped', 'created']);
    expect(await t.getUserByEmployeeId('J21')).toBeUndefined();
    const logs = await t.call('GET', '/api/v1/inbound/logs?person=J21', { token: t.admin });
    const [entry] = (
      (await logs.json()) as {
        items: {
          provisioningStatusInfo: { status: string };
          provisioningSteps: { provisioningStepType: string; description: string }[];
        }[];
      }
    ).items;
    expect(entry?.provisioningStatusInfo.status).toBe('skipped');
    expect(entry?.provisioningSteps[1]).toMatchObject({
      provisioningStepType: 'scoping',
      description:
        'out of scope: no filter matched; filter "Employees only" failed at userType EQUALS "Employee" (value "Vendor")',
    });
  });
});

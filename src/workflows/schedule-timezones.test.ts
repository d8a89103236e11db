import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOINERY_EXT, worker } from '../../test/inbound.ts';
import { createWorkflowTestApp, type WorkflowTestApp } from '../../test/workflows.ts';

/**
 * A fake clock walks joiners in Auckland and Los Angeles through pre-hire (-7 days), day 0 and +7 days,
 * and leavers through the days around their last day. Both zones change their clocks in the window:
 * Los Angeles springs forward on 2026-03-08, Auckland falls back on 2026-04-05.
 */
let t: WorkflowTestApp;
let engineering: string;
const ids: Record<string, string> = {};

const person = (id: string, given: string, zone: string, extra: Record<string, unknown>) =>
  worker(id, {
    given,
    family: 'Tester',
    active: false,
    manager: 'M1',
    timezone: zone,
    [JOINERY_EXT]: { personalEmail: `${given.toLowerCase()}@home.example`, ...extra },
  });

beforeAll(async () => {
  t = await createWorkflowTestApp({ start: '2026-02-20T00:00:00Z' });
  const group = await t.api<{ id: string }>('POST', '/groups', { displayName: 'New starters' });
  engineering = group.body.id;
  await t.createWorkflow({ template: 'onboardPreHireEmployee', name: 'Pre-hire' });
  await t.createWorkflow({ template: 'onboardNewHireEmployee', name: 'Day one' });
  await t.createWorkflow({
    template: 'postOnboardingEmployee',
    name: 'After a week',
    tasks: [{ task: 'addUserToGroups', arguments: { groupIds: [engineering] } }],
  });
  await t.createWorkflow({ template: 'offboardEmployee', name: 'Last day' });
  await t.hr([
    worker('M1', { given: 'Mere', family: 'Manager', timezone: 'Pacific/Auckland' }),
    person('NZ1', 'Aroha', 'Pacific/Auckland', { employeeHireDate: '2026-04-06T00:00:00Z' }),
    person('LA1', 'Liam', 'America/Los_Angeles', { employeeHireDate: '2026-03-09T00:00:00Z' }),
  ]);
  ids.aroha = await t.userId('NZ1');
  ids.liam = await t.userId('LA1');
});
afterAll(async () => {
  await t?.close();
});

async function at(iso: string) {
  t.clock.set(iso);
  return t.pass();
}

const workflowNames = async (userId: string) => {
  const runs = await t.runsOf(userId);
  const names = new Map<string, string>();
  for (const w of (await t.api<{ items: Array<{ id: string; name: string }> }>('GET', '/workflows')).body
    .items)
    names.set(w.id, w.name);
  return runs.map((r) => `${names.get(r.workflowId)}:${r.status}`).sort();
};

const user = async (id: string) =>
  (await t.api<{ accountEnabled: boolean; groups?: unknown }>('GET', `/users/${id}`)).body;

describe('joiners in their own time zone', () => {
  it('Los Angeles: the pre-hire run comes at 09:00 PST seven days before, not a minute earlier', async () => {
    await at('2026-03-02T16:59:00Z');
    expect(await workflowNames(ids.liam as string)).toEqual([]);
    await at('2026-03-02T17:00:00Z');
    expect(await workflowNames(ids.liam as string)).toEqual(['Pre-hire:completed']);
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes('liam@home.example') && /activate/i.test(m.subject),
    );
    expect(mail.text).toContain('joinery.example.test/activate');
  });

  it('Los Angeles: day one starts at midnight PDT, after the clocks changed, and enables the account', async () => {
    await at('2026-03-09T06:59:00Z');
    expect((await user(ids.liam as string)).accountEnabled).toBe(false);
    await at('2026-03-09T07:00:00Z');
    expect(await workflowNames(ids.liam as string)).toEqual(['Day one:completed', 'Pre-hire:completed']);
    expect((await user(ids.liam as string)).accountEnabled).toBe(true);
  });

  it('a second pass over the same moment, or two at once, makes no second run', async () => {
    await Promise.all([t.app.workflows.pass(), t.app.workflows.pass()]);
    await t.pass();
    expect(await workflowNames(ids.liam as string)).toEqual(['Day one:completed', 'Pre-hire:completed']);
  });

  it('Los Angeles: a week later at 09:00 PDT the person joins the group', async () => {
    await at('2026-03-16T15:59:00Z');
    expect(
      (await t.api<{ items: unknown[] }>('GET', `/groups/${engineering}/members`)).body.items,
    ).toHaveLength(0);
    await at('2026-03-16T16:00:00Z');
    const members = (await t.api<{ items: Array<{ id: string }> }>('GET', `/groups/${engineering}/members`))
      .body.items;
    expect(members.map((m) => m.id)).toEqual([ids.liam]);
  });

  it('Auckland: pre-hire at 09:00 NZDT (UTC+13) the evening before in UTC', async () => {
    await at('2026-03-29T19:59:00Z');
    expect(await workflowNames(ids.aroha as string)).toEqual([]);
    await at('2026-03-29T20:00:00Z');
    expect(await workflowNames(ids.aroha as string)).toEqual(['Pre-hire:completed']);
  });

  it('Auckland: day one at midnight NZST (UTC+12), after the clocks fell back, caught up after downtime', async () => {
    // No pass ran between 2026-03-29 and now: the first pass afterwards catches up.
    await at('2026-04-05T11:59:00Z');
    expect((await user(ids.aroha as string)).accountEnabled).toBe(false);
    await at('2026-04-05T13:30:00Z');
    expect((await user(ids.aroha as string)).accountEnabled).toBe(true);
    const runs = await t.runsOf(ids.aroha as string);
    const dayOne = runs.find(
      (r) =>
        r.occurrence === 'employeeHireDate:2026-04-06' &&
        r.trigger === 'timeBasedAttribute' &&
        r.scheduledFor === '2026-04-05T12:00:00.000Z',
    );
    expect(dayOne?.status).toBe('completed');
  });
});

describe('leavers in their own time zone', () => {
  it('disables a leaver at the end of their last day in Los Angeles, not at midnight UTC', async () => {
    await t.hr([
      person('LA1', 'Liam', 'America/Los_Angeles', {
        employeeHireDate: '2026-03-09T00:00:00Z',
        employeeLeaveDateTime: '2026-04-30T00:00:00Z',
      }),
    ]);
    // The HR record still says active: false for Liam; send him active so only the leave date decides.
    await t.hr([
      {
        ...person('LA1', 'Liam', 'America/Los_Angeles', {
          employeeHireDate: '2026-03-09T00:00:00Z',
          employeeLeaveDateTime: '2026-04-30T00:00:00Z',
        }),
        active: true,
      },
    ]);
    await at('2026-04-30T12:00:00Z');
    expect((await user(ids.liam as string)).accountEnabled).toBe(true);
    expect(await t.app.inbound.disableDueLeavers()).toBe(0);
    // 2026-05-01T00:00 PDT is 07:00 UTC.
    await at('2026-05-01T06:59:00Z');
    expect(await t.app.inbound.disableDueLeavers()).toBe(0);
    expect((await user(ids.liam as string)).accountEnabled).toBe(true);
    await at('2026-05-01T07:00:00Z');
    expect((await user(ids.liam as string)).accountEnabled).toBe(false);
    expect(await workflowNames(ids.liam as string)).toContain('Last day:completed');
  });

  it('disables a leaver at the end of their last day in Auckland, hours before it ends in UTC', async () => {
    await t.hr([
      {
        ...person('NZ1', 'Aroha', 'Pacific/Auckland', {
          employeeHireDate: '2026-04-06T00:00:00Z',
          employeeLeaveDateTime: '2026-06-30T00:00:00Z',
        }),
        active: true,
      },
    ]);
    // 2026-07-01T00:00 NZST is 2026-06-30T12:00 UTC.
    await at('2026-06-30T11:59:00Z');
    expect((await user(ids.aroha as string)).accountEnabled).toBe(true);
    await at('2026-06-30T12:00:00Z');
    expect((await user(ids.aroha as string)).accountEnabled).toBe(false);
    const runs = await t.runsOf(ids.aroha as string);
    expect(runs.find((r) => r.occurrence === 'employeeLeaveDateTime:2026-06-30')?.status).toMatch(
      /^completed/,
    );
  });
});

describe('hire dates HR moves', () => {
  it("a hire date moved after today's pre-hire moment still gets the run today; one moved into the past does not", async () => {
    await t.hr([person('LA2', 'Lena', 'America/Los_Angeles', { employeeHireDate: '2026-08-20T00:00:00Z' })]);
    const lena = await t.userId('LA2');
    // 09:00 PDT on 2026-07-10 (16:00 UTC) is seven days before 2026-07-17; a pass has run after it.
    await at('2026-07-10T16:30:00Z');
    expect(await workflowNames(lena)).toEqual([]);
    t.clock.set('2026-07-10T20:00:00Z');
    await t.hr([person('LA2', 'Lena', 'America/Los_Angeles', { employeeHireDate: '2026-07-17T00:00:00Z' })]);
    await t.settle();
    expect(await workflowNames(lena)).toEqual(['Pre-hire:completed']);
    const [run] = await t.runsOf(lena);
    expect(run).toMatchObject({
      occurrence: 'employeeHireDate:2026-07-17',
      scheduledFor: '2026-07-10T16:00:00.000Z',
    });
    // A correction to a start date whose day is over runs nothing late (no back-fill), and the
    // every-minute pass makes nothing more either.
    t.clock.set('2026-07-10T21:00:00Z');
    await t.hr([person('LA2', 'Lena', 'America/Los_Angeles', { employeeHireDate: '2026-07-05T00:00:00Z' })]);
    await t.settle();
    await at('2026-07-10T21:01:00Z');
    expect(await workflowNames(lena)).toEqual(['Pre-hire:completed']);
  });
});

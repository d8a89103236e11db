import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowTestApp, type WorkflowTestApp } from '../../test/workflows.ts';
import type { Workflow, WorkflowRun } from './index.ts';

/** Time-driven starts: inactivity since the last sign-in, and time-based runs across an edit. */
let t: WorkflowTestApp;
const made: string[] = [];
let seq = 0;

beforeAll(async () => {
  t = await createWorkflowTestApp({ start: '2026-06-01T08:00:00Z' });
});
afterEach(async () => {
  for (const id of made.splice(0)) await t.api('DELETE', `/workflows/${id}`);
});
afterAll(async () => {
  await t?.close();
});

async function workflow(body: Record<string, unknown>) {
  const w = await t.createWorkflow({ name: `Trigger workflow ${++seq}`, ...body });
  made.push(w.id);
  return w;
}

const runsOf = async (userId: string, workflowId: string) =>
  (await t.api<{ items: WorkflowRun[] }>('GET', `/workflows/${workflowId}/runs?userId=${userId}`)).body.items;

describe('time and inactivity (the fake clock moves forward from here)', () => {
  const DAY = 24 * 3_600_000;

  it('a person whose last sign-in is older than the period runs once, and again only after a new quiet spell', async () => {
    const start = t.clock.now().getTime();
    const at = async (days: number) => {
      t.clock.set(new Date(start + days * DAY));
      await t.pass();
    };
    // Reported as it happens: a sign-in from the future is refused.
    const signIn = async (userId: string, days: number) => {
      t.clock.set(new Date(start + days * DAY));
      const r = await t.api<{ recorded: number }>('POST', '/workflows/signIns', {
        signIns: [{ userId, at: new Date(start + days * DAY).toISOString() }],
      });
      expect(r.body).toEqual({ recorded: 1 });
    };
    const quiet = await t.person({ userName: 'quiet.signs.in@example.com', department: 'Quiet' });
    const never = await t.person({ userName: 'quiet.never@example.com', department: 'Quiet' });
    const w = await workflow({
      category: 'leaver',
      scope: { rule: "department eq 'Quiet'" },
      trigger: { type: 'userInactivity', inactivityPeriodInDays: 30 },
      tasks: [{ task: 'removeUserFromAllGroups' }],
    });
    await signIn(quiet.id, 1);
    await at(20);
    expect(await runsOf(quiet.id, w.id)).toEqual([]);
    expect(await runsOf(never.id, w.id)).toEqual([]);
    // Never signed in: quiet since the account was made.
    await at(30.5);
    expect(await runsOf(quiet.id, w.id)).toEqual([]);
    expect((await runsOf(never.id, w.id)).map((r) => [r.trigger, r.status])).toEqual([
      ['userInactivity', 'completed'],
    ]);
    await at(31.5);
    expect(await runsOf(quiet.id, w.id)).toHaveLength(1);
    await at(33);
    expect(await runsOf(quiet.id, w.id)).toHaveLength(1);
    expect(await runsOf(never.id, w.id)).toHaveLength(1);
    // Signs in again, goes quiet again: a second run 30 days after that sign-in, not before.
    await signIn(quiet.id, 34);
    await at(50);
    expect(await runsOf(quiet.id, w.id)).toHaveLength(1);
    await at(64.5);
    expect(await runsOf(quiet.id, w.id)).toHaveLength(2);
    // An edit (a new version) does not run everyone who is already quiet once more.
    const name = (await t.api<Workflow>('GET', `/workflows/${w.id}`)).body.name;
    const edited = await t.api('PUT', `/workflows/${w.id}`, {
      name,
      category: 'leaver',
      scope: { rule: "department eq 'Quiet'" },
      trigger: { type: 'userInactivity', inactivityPeriodInDays: 30 },
      tasks: [{ task: 'removeUserFromAllGroups' }, { task: 'disableUserAccount' }],
    });
    expect(edited.status).toBe(200);
    await at(65);
    expect(await runsOf(quiet.id, w.id)).toHaveLength(2);
    expect(await runsOf(never.id, w.id)).toHaveLength(1);
  });

  it('an edit between two passes loses no time-based run that fell due in between', async () => {
    const day = new Date(t.clock.now().getTime() + 10 * DAY).toISOString().slice(0, 10);
    const joiner = await t.person({
      userName: 'window.joiner@example.com',
      department: 'Window',
      timezone: 'UTC',
      employeeHireDate: day,
      accountEnabled: false,
    });
    const definition = (description: string) => ({
      category: 'joiner',
      description,
      scope: { rule: "department eq 'Window'" },
      trigger: {
        type: 'timeBasedAttribute',
        timeBasedAttribute: 'employeeHireDate',
        offsetInDays: 0,
        timeOfDay: '09:00',
      },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const w = await workflow(definition('v1'));
    t.clock.set(`${day}T08:00:00Z`);
    await t.pass();
    expect(await runsOf(joiner.id, w.id)).toEqual([]);
    // 09:00 passes with no scheduler pass (the scheduler was down); the admin edits at 09:15.
    t.clock.set(`${day}T09:15:00Z`);
    const name = (await t.api<Workflow>('GET', `/workflows/${w.id}`)).body.name;
    expect((await t.api('PUT', `/workflows/${w.id}`, { ...definition('v2'), name })).status).toBe(200);
    t.clock.set(`${day}T09:30:00Z`);
    await t.pass();
    expect((await runsOf(joiner.id, w.id)).map((r) => [r.version, r.status, r.scheduledFor])).toEqual([
      [2, 'completed', `${day}T09:00:00.000Z`],
    ]);
  });
});

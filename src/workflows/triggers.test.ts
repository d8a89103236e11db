import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, worker } from '../../test/inbound.ts';
import { createWorkflowTestApp, type WorkflowTestApp } from '../../test/workflows.ts';
import type { StoredEvent } from '../events/index.ts';
import type { Workflow, WorkflowRun } from './index.ts';

/** What starts a run: HR attribute changes, group membership changes, on-demand calls, inactivity. */
let t: WorkflowTestApp;
const ids: Record<string, string> = {};
const made: string[] = [];
let seq = 0;

const MANAGER = 'mere.manager@example.com';

/** An HR record reporting to M1; `enterprise` replaces the department (and keeps the manager). */
const hrPerson = (
  id: string,
  given: string,
  extra: Record<string, unknown> = {},
  department = 'Engineering',
) =>
  worker(id, {
    given,
    family: 'Mover',
    manager: 'M1',
    ...extra,
    [ENTERPRISE]: { department, costCenter: 'CC1', manager: { value: 'M1' } },
  });

beforeAll(async () => {
  t = await createWorkflowTestApp({ start: '2026-06-01T08:00:00Z' });
  await t.hr([
    worker('M1', { given: 'Mere', family: 'Manager' }),
    hrPerson('E1', 'Ana'),
    hrPerson('E2', 'Ben', {}, 'Sales'),
    hrPerson('E3', 'Cai'),
    hrPerson('E4', 'Dov'),
  ]);
  for (const e of ['M1', 'E1', 'E2', 'E3', 'E4']) ids[e] = await t.userId(e);
});
afterEach(async () => {
  // Event-triggered workflows see every change: each test's workflows end with it.
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

async function storedEvents(userId: string, type: string): Promise<StoredEvent[]> {
  const rows = await t.app.database.db
    .selectFrom('events')
    .selectAll()
    .where('aggregate_id', '=', userId)
    .where('type', '=', type)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    position: r.position ?? 0,
    type: r.type,
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    payload: r.payload,
    correlationId: r.correlation_id,
    occurredAt: r.occurred_at,
  }));
}

describe('attribute change', () => {
  it('HR moves someone to another department: the mover workflow runs once and tells the manager what changed', async () => {
    const w = await workflow({
      category: 'mover',
      trigger: { type: 'attributeChange', triggerAttributes: ['department'] },
      tasks: [{ task: 'notifyManagerOfMove' }],
    });
    await t.hr([hrPerson('E1', 'Ana', {}, 'Finance')]);
    await t.settle();
    const runs = await runsOf(ids.E1 as string, w.id);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([['attributeChange', 'completed']]);
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes(MANAGER) && m.subject === 'Ana Mover has a new position',
    );
    expect(mail.text).toMatch(/Engineering/);
    expect(mail.text).toMatch(/Finance/);
    expect(mail.text.indexOf('Engineering')).toBeLessThan(mail.text.indexOf('Finance'));

    // The same record again changes nothing; a change of an unwatched attribute runs nothing.
    await t.hr([hrPerson('E1', 'Ana', {}, 'Finance')]);
    await t.hr([hrPerson('E1', 'Ana', { title: 'Senior Engineer' }, 'Finance')]);
    await t.settle();
    expect(await runsOf(ids.E1 as string, w.id)).toHaveLength(1);
  });

  it("Graph's names work in triggers and Entra's rules in the scope: only people the rule takes run", async () => {
    const w = await workflow({
      category: 'mover',
      scope: { rule: "(department eq 'Sales') and (jobTitle eq 'Account Manager')" },
      trigger: { type: 'attributeChange', triggerAttributes: ['jobTitle'] },
      tasks: [{ task: 'notifyManagerOfMove' }],
    });
    await t.hr([
      hrPerson('E2', 'Ben', { title: 'Account Manager' }, 'Sales'),
      hrPerson('E3', 'Cai', { title: 'Account Manager' }),
    ]);
    await t.settle();
    expect((await runsOf(ids.E2 as string, w.id)).map((r) => r.status)).toEqual(['completed']);
    expect(await runsOf(ids.E3 as string, w.id)).toEqual([]);
  });

  it('a disabled workflow runs for no change; enabled again, it runs for the next one', async () => {
    const w = await workflow({
      category: 'mover',
      trigger: { type: 'attributeChange', triggerAttributes: ['department'] },
      tasks: [{ task: 'notifyManagerOfMove' }],
    });
    await t.api('PATCH', `/workflows/${w.id}`, { enabled: false });
    await t.hr([hrPerson('E3', 'Cai', { title: 'Account Manager' }, 'Legal')]);
    await t.settle();
    expect(await runsOf(ids.E3 as string, w.id)).toEqual([]);
    await t.api('PATCH', `/workflows/${w.id}`, { enabled: true });
    await t.hr([hrPerson('E3', 'Cai', { title: 'Account Manager' }, 'Engineering')]);
    await t.settle();
    expect(await runsOf(ids.E3 as string, w.id)).toHaveLength(1);
  });

  it("a new manager (Graph's name: manager) is told, with both managers' names", async () => {
    const w = await workflow({
      category: 'mover',
      trigger: { type: 'attributeChange', triggerAttributes: ['manager'] },
      tasks: [{ task: 'notifyManagerOfMove' }],
    });
    await t.hr([worker('M2', { given: 'Noa', family: 'Newboss' })]);
    await t.hr([
      worker('E4', {
        given: 'Dov',
        family: 'Mover',
        [ENTERPRISE]: { department: 'Engineering', costCenter: 'CC1', manager: { value: 'M2' } },
      }),
    ]);
    await t.settle();
    expect((await runsOf(ids.E4 as string, w.id)).map((r) => r.status)).toEqual(['completed']);
    const mail = await t.smtp.waitFor((m) => m.to.includes('noa.newboss@example.com'));
    expect(mail.text).toContain('manager: Mere Manager → Noa Newboss');
    await t.hr([hrPerson('E4', 'Dov')]);
  });

  it('accountEnabled can be watched like any attribute', async () => {
    const w = await workflow({
      category: 'leaver',
      trigger: { type: 'attributeChange', triggerAttributes: ['accountEnabled'] },
      tasks: [{ task: 'removeUserFromAllGroups' }],
    });
    await t.hr([hrPerson('E4', 'Dov', { active: false })]);
    await t.settle();
    expect((await runsOf(ids.E4 as string, w.id)).map((r) => r.status)).toEqual(['completed']);
    await t.hr([hrPerson('E4', 'Dov', { active: true })]);
    await t.settle();
    expect(await runsOf(ids.E4 as string, w.id)).toHaveLength(2);
  });

  it('an event delivered again, even after the workflow was edited, makes no second run', async () => {
    const definition = {
      category: 'mover',
      trigger: { type: 'attributeChange', triggerAttributes: ['department'] },
      tasks: [{ task: 'notifyManagerOfMove' }],
    };
    const w = await workflow(definition);
    await t.hr([hrPerson('E2', 'Ben', { title: 'Account Manager' }, 'Marketing')]);
    await t.settle();
    expect(await runsOf(ids.E2 as string, w.id)).toHaveLength(1);
    const events = (await storedEvents(ids.E2 as string, 'user.updated')).slice(-1);
    expect(events[0]?.payload).toMatchObject({ changed: ['department'] });
    await t.app.workflows.handleEvents(events);
    await t.app.workflows.handleEvents(events);
    const name = (await t.api<Workflow>('GET', `/workflows/${w.id}`)).body.name;
    expect(
      (await t.api('PUT', `/workflows/${w.id}`, { ...definition, name, description: 'v2' })).status,
    ).toBe(200);
    await t.app.workflows.handleEvents(events);
    await t.execute();
    expect((await runsOf(ids.E2 as string, w.id)).map((r) => r.version)).toEqual([1]);
  });
});

describe('membership change', () => {
  let parent: string;
  let child: string;
  let other: string;
  beforeAll(async () => {
    const make = async (displayName: string) =>
      (await t.api<{ id: string }>('POST', '/groups', { displayName })).body.id;
    parent = await make('Watched parent');
    child = await make('Watched child');
    other = await make('Not watched');
    await t.api('POST', `/groups/${parent}/members`, { members: [{ type: 'group', id: child }] });
  });
  const add = (g: string, u: string) =>
    t.api('POST', `/groups/${g}/members`, { members: [{ type: 'user', id: u }] });
  const remove = (g: string, u: string) => t.api('DELETE', `/groups/${g}/members/${u}`);

  it('joining a watched group, directly or through a nested group, runs the workflow; another group does not', async () => {
    const w = await workflow({
      category: 'mover',
      scope: { groupIds: [parent] },
      trigger: { type: 'membershipChange', changeType: 'add' },
      tasks: [{ task: 'notifyManagerOfMove' }],
    });
    expect((await add(parent, ids.E1 as string)).status).toBe(200);
    await add(child, ids.E2 as string);
    await add(other, ids.E3 as string);
    await t.settle();
    expect((await runsOf(ids.E1 as string, w.id)).map((r) => [r.trigger, r.status])).toEqual([
      ['membershipChange', 'completed'],
    ]);
    expect(await runsOf(ids.E2 as string, w.id)).toHaveLength(1);
    expect(await runsOf(ids.E3 as string, w.id)).toEqual([]);
    // The manager is told which group: the mover notice lists the membership, not an old attribute change.
    const mail = await t.smtp.waitFor((m) => m.to.includes(MANAGER) && m.text.includes('Watched child'));
    expect(mail.subject).toBe('Ben Mover has a new position');
    expect(mail.text).toMatch(/groups: .* → Watched child/);
  });

  it('leaving runs the workflow only when the person is out of every watched group', async () => {
    const w = await workflow({
      category: 'leaver',
      scope: { groupIds: [parent] },
      trigger: { type: 'membershipChange', changeType: 'remove' },
      tasks: [{ task: 'disableUserAccount' }],
    });
    // E2 leaves the nested group: out of the watched tree.
    await remove(child, ids.E2 as string);
    // E1 is still a direct member of the parent when leaving the nested group.
    await add(child, ids.E1 as string);
    await remove(child, ids.E1 as string);
    await remove(other, ids.E3 as string);
    await t.settle();
    expect(await runsOf(ids.E2 as string, w.id)).toHaveLength(1);
    expect(await runsOf(ids.E1 as string, w.id)).toEqual([]);
    expect(await runsOf(ids.E3 as string, w.id)).toEqual([]);
    await remove(parent, ids.E1 as string);
    await t.settle();
    expect((await runsOf(ids.E1 as string, w.id)).map((r) => r.status)).toEqual(['completed']);
    // Re-enable the people the leaver workflow disabled, for the tests after this one.
    for (const id of [ids.E1, ids.E2]) await t.api('PATCH', `/users/${id}`, { accountEnabled: true });
  });
});

describe('on demand', () => {
  it("runs for Graph's subjects, even while the workflow is disabled", async () => {
    const w = await workflow({
      category: 'joiner',
      enabled: false,
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const r = await t.api<{ runIds: string[] }>('POST', `/workflows/${w.id}/activate`, {
      subjects: [{ id: ids.E1 }, { id: ids.E2 }],
    });
    expect(r.status).toBe(202);
    expect(r.body.runIds).toHaveLength(2);
    await t.execute();
    for (const id of r.body.runIds)
      expect(await t.run(id)).toMatchObject({ status: 'completed', trigger: 'onDemand' });
  });

  it('each call is its own run, even with the same correlation id', async () => {
    const w = await workflow({
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const call = () =>
      t.call('POST', `/api/v1/workflows/${w.id}/activate`, {
        token: t.admin,
        body: { subjects: [{ id: ids.E3 }] },
        headers: { 'X-Correlation-Id': 'nightly-script' },
      });
    const first = (await (await call()).json()) as { runIds: string[] };
    const second = (await (await call()).json()) as { runIds: string[] };
    expect(first.runIds).toHaveLength(1);
    expect(second.runIds).toHaveLength(1);
    expect(second.runIds[0]).not.toBe(first.runIds[0]);
    await t.execute();
    expect(await runsOf(ids.E3 as string, w.id)).toHaveLength(2);
  });

  it('an unknown or deleted person is a 404 and no one runs', async () => {
    const w = await workflow({
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const unknown = '0190a7e4-0000-7000-8000-0000000000aa';
    const r = await t.api<{ error: { code: string; details: { id: string } } }>(
      'POST',
      `/workflows/${w.id}/activate`,
      {
        subjects: [{ id: ids.E4 }, { id: unknown }],
      },
    );
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'directory.user_not_found', details: { id: unknown } });
    const gone = await t.person({ userName: 'gone.soon@example.com' });
    await t.api('DELETE', `/users/${gone.id}`);
    const deleted = await t.api<{ error: { code: string } }>('POST', `/workflows/${w.id}/activate`, {
      userIds: [gone.id],
    });
    expect(deleted.status).toBe(404);
    expect(await runsOf(ids.E4 as string, w.id)).toEqual([]);
    expect(await runsOf(gone.id, w.id)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskWorld, type Task, type TaskWorld } from '../../test/workflow-tasks.ts';
import type { WorkflowTestApp } from '../../test/workflows.ts';
import type { WorkflowRun } from './index.ts';

/** The built-in tasks' effects, and how runs fail, continue, retry and are read back. */
let world: TaskWorld;
let t: WorkflowTestApp;
let groups: Record<string, string>;

beforeAll(async () => {
  world = await createTaskWorld();
  ({ t, groups } = world);
});
afterAll(async () => {
  await t?.close();
});

const person = (extra?: Record<string, unknown>) => world.person(extra);
const workflow = (category: 'joiner' | 'mover' | 'leaver', tasks: Task[]) => world.workflow(category, tasks);
const runTasks = (category: 'joiner' | 'mover' | 'leaver', tasks: Task[], userId: string) =>
  world.runTasks(category, tasks, userId);
const user = (id: string) => world.user(id);
const directGroups = (id: string) => world.directGroups(id);
const addTo = (groupId: string, userId: string) => world.addTo(groupId, userId);

describe('account tasks', () => {
  it('enableUserAccount enables a disabled account, disableUserAccount disables it', async () => {
    const p = await person({ accountEnabled: false });
    const enabled = await runTasks('joiner', [{ task: 'enableUserAccount' }], p.id);
    expect(enabled.status).toBe('completed');
    expect(enabled.tasks?.[0]).toMatchObject({
      task: 'enableUserAccount',
      status: 'completed',
      result: { changed: true },
    });
    expect((await user(p.id)).accountEnabled).toBe(true);
    const disabled = await runTasks('leaver', [{ task: 'disableUserAccount' }], p.id);
    expect(disabled.tasks?.[0]).toMatchObject({ status: 'completed', result: { changed: true } });
    expect((await user(p.id)).accountEnabled).toBe(false);
    // Already disabled: a success that changes nothing.
    const again = await runTasks('leaver', [{ task: 'disableUserAccount' }], p.id);
    expect(again.tasks?.[0]).toMatchObject({ status: 'completed', result: { changed: false } });
  });

  it('deleteUserAccount soft-deletes: the person can be restored', async () => {
    const p = await person();
    const run = await runTasks('leaver', [{ task: 'deleteUserAccount' }], p.id);
    expect(run.status).toBe('completed');
    expect((await t.api('GET', `/users/${p.id}`)).status).toBe(404);
    expect((await user(p.id)).deletedAt).not.toBeNull();
    expect((await t.api('POST', `/users/${p.id}/restore`)).status).toBe(200);
    expect((await user(p.id)).deletedAt).toBeNull();
  });

  it('a disabled task is skipped and the rest of the run goes on', async () => {
    const p = await person({ accountEnabled: false });
    const run = await runTasks(
      'joiner',
      [
        { task: 'enableUserAccount', enabled: false },
        { task: 'addUserToGroups', arguments: { groupIds: [groups.alpha] } },
      ],
      p.id,
    );
    expect(run.status).toBe('completed');
    expect(run.tasks?.map((x) => x.status)).toEqual(['skipped', 'completed']);
    expect((await user(p.id)).accountEnabled).toBe(false);
    expect(await directGroups(p.id)).toEqual([groups.alpha]);
  });
});

describe('group tasks', () => {
  it('addUserToGroups adds the person to each group', async () => {
    const p = await person();
    const run = await runTasks(
      'joiner',
      [{ task: 'addUserToGroups', arguments: { groupIds: [groups.alpha, groups.beta] } }],
      p.id,
    );
    expect(run.status).toBe('completed');
    expect(await directGroups(p.id)).toEqual([groups.alpha, groups.beta].sort());
  });

  it('removeUserFromSelectedGroups removes only the listed groups', async () => {
    const p = await person();
    for (const g of [groups.alpha, groups.beta, groups.gamma]) await addTo(g as string, p.id);
    const run = await runTasks(
      'mover',
      [{ task: 'removeUserFromSelectedGroups', arguments: { groupIds: [groups.alpha, groups.beta] } }],
      p.id,
    );
    expect(run.status).toBe('completed');
    expect(await directGroups(p.id)).toEqual([groups.gamma]);
  });

  it('removeUserFromAllGroups removes every direct membership', async () => {
    const p = await person();
    for (const g of [groups.alpha, groups.gamma]) await addTo(g as string, p.id);
    const run = await runTasks('leaver', [{ task: 'removeUserFromAllGroups' }], p.id);
    expect(run.status).toBe('completed');
    expect(run.tasks?.[0]?.result).toMatchObject({
      removed: expect.arrayContaining([groups.alpha, groups.gamma]),
    });
    expect(await directGroups(p.id)).toEqual([]);
  });
});

describe('failures', () => {
  it('continueOnError: the failed task is recorded, the next ones run, the run ends completedWithErrors', async () => {
    const p = await person({ emails: [], personalEmail: null, accountEnabled: false });
    const run = await runTasks(
      'joiner',
      [{ task: 'sendWelcomeEmail', continueOnError: true }, { task: 'enableUserAccount' }],
      p.id,
    );
    expect(run.status).toBe('completedWithErrors');
    expect(run.tasks?.map((x) => x.status)).toEqual(['failed', 'completed']);
    expect(run.error).toMatchObject({ failedTasks: [{ position: 0, task: 'sendWelcomeEmail' }] });
    expect((await user(p.id)).accountEnabled).toBe(true);
  });

  it('without continueOnError the run fails at the task and the later tasks do not run', async () => {
    const p = await person({ emails: [], personalEmail: null, accountEnabled: false });
    const run = await runTasks('joiner', [{ task: 'sendWelcomeEmail' }, { task: 'enableUserAccount' }], p.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ position: 0, task: 'sendWelcomeEmail', code: 'workflows.task_failed' });
    expect(run.tasks?.map((x) => x.status)).toEqual(['failed']);
    expect((await user(p.id)).accountEnabled).toBe(false);
  });

  it('retry resumes at the failed task and does not repeat the completed ones', async () => {
    const p = await person({ emails: [], personalEmail: null, accountEnabled: false });
    const run = await runTasks(
      'joiner',
      [
        { task: 'addUserToGroups', arguments: { groupIds: [groups.beta] } },
        { task: 'sendWelcomeEmail' },
        { task: 'enableUserAccount' },
      ],
      p.id,
    );
    expect(run.status).toBe('failed');
    // The completed task is not retried: a run that has not failed cannot be retried either.
    await t.api('PATCH', `/users/${p.id}`, { emails: [{ value: `${p.userName}`, primary: true }] });
    // Meanwhile someone took the person out of the group the first task added them to.
    await t.api('DELETE', `/groups/${groups.beta}/members/${p.id}`);
    const retried = await t.api<WorkflowRun>('POST', `/workflows/runs/${run.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('queued');
    await t.execute();
    const after = await t.run(run.id);
    expect(after.status).toBe('completed');
    expect(after.tasks?.map((x) => [x.task, x.status, x.attempts])).toEqual([
      ['addUserToGroups', 'completed', 1],
      ['sendWelcomeEmail', 'completed', 2],
      ['enableUserAccount', 'completed', 1],
    ]);
    // The first task did not run again: the person is still out of the group.
    expect(await directGroups(p.id)).toEqual([]);
    expect((await user(p.id)).accountEnabled).toBe(true);
    await t.smtp.waitFor((m) => m.to.includes(p.userName));
    const again = await t.api<{ error: { code: string } }>('POST', `/workflows/runs/${run.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('workflows.run_not_retryable');
  });

  it('a run for someone deleted before it ran fails without acting', async () => {
    const p = await person({ accountEnabled: false });
    const w = await workflow('joiner', [{ task: 'enableUserAccount' }]);
    // The run is due an hour from now, so it waits while the person is deleted.
    const now = t.clock.now();
    t.clock.advance(3_600_000);
    const [runId] = await t.activate(w.id, [p.id]);
    t.clock.set(now);
    expect((await t.api('DELETE', `/users/${p.id}`)).status).toBe(200);
    t.clock.advance(3_600_000);
    await t.execute();
    const run = await t.run(runId as string);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'directory.user_not_found' });
    expect((await user(p.id)).accountEnabled).toBe(false);
  });
});

describe('reading runs', () => {
  it('runs are listed per workflow, per person and by status; one run shows each task', async () => {
    const p = await person({ accountEnabled: false });
    const q = await person({ accountEnabled: false });
    const w = await workflow('joiner', [{ task: 'enableUserAccount' }, { task: 'sendWelcomeEmail' }]);
    const other = await workflow('joiner', [
      { task: 'addUserToGroups', arguments: { groupIds: [groups.alpha] } },
    ]);
    const [pRun] = await t.activate(w.id, [p.id]);
    const [qRun] = await t.activate(w.id, [q.id]);
    const [otherRun] = await t.activate(other.id, [p.id]);
    await t.execute();
    const perWorkflow = await t.api<{ items: WorkflowRun[] }>('GET', `/workflows/${w.id}/runs`);
    expect(perWorkflow.body.items.map((r) => r.id).sort()).toEqual([pRun, qRun].sort());
    const perPerson = await t.api<{ items: WorkflowRun[] }>('GET', `/workflows/runs?userId=${p.id}`);
    expect(perPerson.body.items.map((r) => r.id).sort()).toEqual([pRun, otherRun].sort());
    const both = await t.api<{ items: WorkflowRun[] }>(
      'GET',
      `/workflows/runs?userId=${p.id}&workflowId=${w.id}`,
    );
    expect(both.body.items.map((r) => r.id)).toEqual([pRun]);
    const failed = await t.api<{ items: WorkflowRun[] }>('GET', `/workflows/${w.id}/runs?status=failed`);
    expect(failed.body.items).toEqual([]);
    const run = await t.run(pRun as string);
    expect(run).toMatchObject({
      workflowId: w.id,
      version: 1,
      userId: p.id,
      trigger: 'onDemand',
      status: 'completed',
      actor: { type: 'token' },
    });
    expect(run.tasks).toEqual([
      expect.objectContaining({
        position: 0,
        task: 'enableUserAccount',
        status: 'completed',
        result: { changed: true },
      }),
      expect.objectContaining({
        position: 1,
        task: 'sendWelcomeEmail',
        status: 'completed',
        result: expect.objectContaining({ to: [p.userName] }),
      }),
    ]);
    expect(run.finishedAt).not.toBeNull();
  });

  it('paging: a page of runs and a cursor to the next', async () => {
    const people = [await person(), await person(), await person()];
    const w = await workflow('joiner', [{ task: 'enableUserAccount' }]);
    const runIds = await t.activate(
      w.id,
      people.map((p) => p.id),
    );
    await t.execute();
    const first = await t.api<{ items: WorkflowRun[]; nextCursor: string | null }>(
      'GET',
      `/workflows/${w.id}/runs?limit=2`,
    );
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await t.api<{ items: WorkflowRun[]; nextCursor: string | null }>(
      'GET',
      `/workflows/${w.id}/runs?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((r) => r.id).sort()).toEqual([...runIds].sort());
  });

  it('cancel stops a failed run for good; a finished run cannot be cancelled', async () => {
    const p = await person({ emails: [], personalEmail: null, accountEnabled: false });
    const run = await runTasks('joiner', [{ task: 'sendWelcomeEmail' }, { task: 'enableUserAccount' }], p.id);
    expect(run.status).toBe('failed');
    const cancelled = await t.api<WorkflowRun>('POST', `/workflows/runs/${run.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await t.api('POST', `/workflows/runs/${run.id}/retry`)).status).toBe(409);
    expect((await t.api('POST', `/workflows/runs/${run.id}/cancel`)).status).toBe(409);
    const done = await runTasks('joiner', [{ task: 'enableUserAccount' }], p.id);
    const refused = await t.api<{ error: { code: string } }>('POST', `/workflows/runs/${done.id}/cancel`);
    expect(refused.status).toBe(409);
    expect((await t.run(done.id)).status).toBe('completed');
  });
});

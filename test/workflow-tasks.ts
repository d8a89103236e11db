import { createWorkflowTestApp, type WorkflowTestApp } from './workflows.ts';

/**
 * The world of the built-in task tests: an app on a fake clock, a manager (Maya) and four groups, and
 * helpers that make people, workflows and runs. Each test file makes its own.
 */
export type Task = {
  task: string;
  arguments?: Record<string, unknown>;
  continueOnError?: boolean;
  enabled?: boolean;
};

type Category = 'joiner' | 'mover' | 'leaver';

export async function createTaskWorld(start = '2026-05-04T08:00:00Z') {
  const t: WorkflowTestApp = await createWorkflowTestApp({ start });
  let seq = 0;
  const manager = await t.person({
    userName: 'maya.manager@example.com',
    displayName: 'Maya Manager',
    givenName: 'Maya',
    emails: [{ value: 'maya.manager@example.com', primary: true }],
  });
  const groups: Record<string, string> = {};
  for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
    const r = await t.api<{ id: string }>('POST', '/groups', { displayName: `Tasks ${name}` });
    groups[name] = r.body.id;
  }

  /** A fresh person reporting to Maya, with a work and a personal address unless told otherwise. */
  const person = (extra: Record<string, unknown> = {}) => {
    const n = ++seq;
    return t.person({
      userName: `person${n}@example.com`,
      displayName: `Person ${n}`,
      givenName: `Given${n}`,
      employeeId: `T${n}`,
      emails: [{ value: `person${n}@example.com`, primary: true }],
      personalEmail: `person${n}@home.example`,
      managerId: manager.id,
      ...extra,
    });
  };

  const workflow = (category: Category, tasks: Task[]) =>
    t.createWorkflow({ name: `Tasks workflow ${++seq}`, category, trigger: { type: 'onDemand' }, tasks });

  /** Runs the tasks on demand for the person and returns the finished run. */
  const runTasks = async (category: Category, tasks: Task[], userId: string) => {
    const w = await workflow(category, tasks);
    const [runId] = await t.activate(w.id, [userId]);
    await t.execute();
    return t.run(runId as string);
  };

  const user = async (id: string) =>
    (
      await t.api<{ accountEnabled: boolean; deletedAt: string | null }>(
        'GET',
        `/users/${id}?includeDeleted=true`,
      )
    ).body;
  const directGroups = async (id: string) =>
    (
      await t.api<{ items: Array<{ id: string; direct: boolean }> }>('GET', `/users/${id}/memberOf`)
    ).body.items
      .map((g) => g.id)
      .sort();
  const addTo = (groupId: string, userId: string) =>
    t.api('POST', `/groups/${groupId}/members`, { members: [{ type: 'user', id: userId }] });
  const mailsTo = (address: string) => t.smtp.messages.filter((m) => m.to.includes(address));

  return { t, manager, groups, person, workflow, runTasks, user, directGroups, addTo, mailsTo };
}

export type TaskWorld = Awaited<ReturnType<typeof createTaskWorld>>;

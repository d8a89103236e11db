import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowTestApp, type WorkflowTestApp } from '../../test/workflows.ts';
import type { WorkflowRun } from './index.ts';

/** The built-in tasks' effects, and how runs fail, continue, retry and are read back. */
let t: WorkflowTestApp;
let manager: { id: string; userName: string };
const groups: Record<string, string> = {};
let seq = 0;

beforeAll(async () => {
  t = await createWorkflowTestApp({ start: '2026-05-04T08:00:00Z' });
  manager = await t.person({
    userName: 'maya.manager@example.com',
    displayName: 'Maya Manager',
    givenName: 'Maya',
    emails: [{ value: 'maya.manager@example.com', primary: true }],
  });
  for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
    const r = await t.api<{ id: string }>('POST', '/groups', { displayName: `Tasks ${name}` });
    groups[name] = r.body.id;
  }
});
afterAll(async () => {
  await t?.close();
});

type Task = {
  task: string;
  arguments?: Record<string, unknown>;
  continueOnError?: boolean;
  enabled?: boolean;
};

/** A fresh person reporting to Maya, with a work and a personal address unless told otherwise. */
async function person(extra: Record<string, unknown> = {}) {
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
}

async function workflow(category: 'joiner' | 'mover' | 'leaver', tasks: Task[]) {
  return t.createWorkflow({
    name: `Tasks workflow ${++seq}`,
    category,
    trigger: { type: 'onDemand' },
    tasks,
  });
}

/** Runs the tasks on demand for the person and returns the finished run. */
async function runTasks(category: 'joiner' | 'mover' | 'leaver', tasks: Task[], userId: string) {
  const w = await workflow(category, tasks);
  const [runId] = await t.activate(w.id, [userId]);
  await t.execute();
  return t.run(runId as string);
}

const user = async (id: string) =>
  (
    await t.api<{ accountEnabled: boolean; deletedAt: string | null }>(
      'GET',
      `/users/${id}?includeDeleted=true`,
    )
  ).body;
const directGroups = async (id: string) =>
  (await t.api<{ items: Array<{ id: string; direct: boolean }> }>('GET', `/users/${id}/memberOf`)).body.items
    .map((g) => g.id)
    .sort();
const addTo = (groupId: string, userId: string) =>
  t.api('POST', `/groups/${groupId}/members`, { members: [{ type: 'user', id: userId }] });
const mailsTo = (address: string) => t.smtp.messages.filter((m) => m.to.includes(address));

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

describe('activation codes', () => {
  const codeIn = (text: string) => /: ([A-Z0-9]{6,})\s/.exec(text)?.[1];

  it('sends the code to the personal address; the code activates with the activation API', async () => {
    const p = await person();
    const run = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' } }],
      p.id,
    );
    expect(run.status).toBe('completed');
    const n = p.userName.replace('@example.com', '');
    expect(run.tasks?.[0]?.result).toMatchObject({ sentTo: [`${n}@home.example`] });
    const mail = await t.smtp.waitFor((m) => m.to.includes(`${n}@home.example`));
    expect(mailsTo(manager.userName).filter((m) => m.text.includes(p.userName))).toEqual([]);
    expect(JSON.stringify(run)).not.toContain(codeIn(mail.text) as string);
    const code = codeIn(mail.text);
    expect(code).toBeDefined();
    const verify = await t.call('POST', '/api/v1/activation/verify', {
      body: { userName: p.userName, code, fact: `T${n.replace('person', '')}` },
    });
    expect(verify.status, await verify.clone().text()).toBe(200);
  });

  it('sends the code to the manager only, or to both with the same code', async () => {
    const toManager = await person({ displayName: 'Manager Only Starter' });
    const managerRun = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'manager' } }],
      toManager.id,
    );
    expect(managerRun.tasks?.[0]?.result).toMatchObject({ sentTo: [manager.userName] });
    const managerMail = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.text.includes('Manager Only Starter'),
    );
    expect(codeIn(managerMail.text)).toBeDefined();
    expect(mailsTo(toManager.userName.replace('@example.com', '@home.example'))).toEqual([]);

    const toBoth = await person({ displayName: 'Both Ways Starter' });
    const run = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'both' } }],
      toBoth.id,
    );
    expect(run.tasks?.[0]?.result).toMatchObject({
      sentTo: [manager.userName, toBoth.userName.replace('@example.com', '@home.example')],
    });
    const a = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.text.includes('Both Ways Starter'),
    );
    const b = await t.smtp.waitFor((m) =>
      m.to.includes(toBoth.userName.replace('@example.com', '@home.example')),
    );
    expect(codeIn(a.text)).toBe(codeIn(b.text));
  });

  it('fails the task when there is nobody to send the code to', async () => {
    const p = await person({ personalEmail: null });
    const run = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' } }],
      p.id,
    );
    expect(run.status).toBe('failed');
    expect(run.tasks?.[0]?.error).toMatchObject({ code: 'workflows.task_failed' });
    // No code was issued for nobody.
    const status = await t.api<{ code: unknown }>('GET', `/users/${p.id}/activation`);
    expect(status.body.code).toBeNull();
  });
});

describe('e-mail tasks', () => {
  it('the welcome goes to the person in their preferred language', async () => {
    const p = await person({ preferredLanguage: 'fr', givenName: 'Amélie' });
    const run = await runTasks('joiner', [{ task: 'sendWelcomeEmail' }], p.id);
    expect(run.status).toBe('completed');
    const mail = await t.smtp.waitFor((m) => m.to.includes(p.userName));
    expect(mail.subject).toBe('Bienvenue, Amélie');
  });

  it('a locale argument wins over the preferred language; cc receives a copy', async () => {
    const p = await person({ preferredLanguage: 'fr', givenName: 'Bruno' });
    await runTasks(
      'joiner',
      [{ task: 'sendWelcomeEmail', arguments: { locale: 'en', cc: ['hr.team@example.com'] } }],
      p.id,
    );
    const mail = await t.smtp.waitFor((m) => m.to.includes(p.userName));
    expect(mail.subject).toBe('Welcome, Bruno');
    await t.smtp.waitFor((m) => m.to.includes('hr.team@example.com') && m.subject === 'Welcome, Bruno');
  });

  it('a custom subject and body are filled in for the person', async () => {
    const p = await person({ givenName: 'Chidi', department: 'Philosophy' });
    await runTasks(
      'joiner',
      [
        {
          task: 'sendWelcomeEmail',
          arguments: {
            subject: 'Hi {{user.givenName}}, welcome to {{user.department}}',
            body: 'Your manager is {{manager.displayName}}.',
          },
        },
      ],
      p.id,
    );
    const mail = await t.smtp.waitFor((m) => m.to.includes(p.userName));
    expect(mail.subject).toBe('Hi Chidi, welcome to Philosophy');
    expect(mail.text.trim()).toBe('Your manager is Maya Manager.');
  });

  it('the onboarding reminder goes to the manager', async () => {
    const p = await person({ displayName: 'Reminder Starter', employeeHireDate: '2026-05-11' });
    const run = await runTasks('joiner', [{ task: 'sendOnboardingReminderEmail' }], p.id);
    expect(run.tasks?.[0]?.result).toMatchObject({ to: [manager.userName] });
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.text.includes('Reminder Starter'),
    );
    expect(mail.to).toEqual([manager.userName]);
    expect(mailsTo(p.userName)).toEqual([]);
  });

  it("the last-day e-mails go to the manager, with the task's locale and custom subject", async () => {
    const p = await person({ displayName: 'Leaving Person', employeeLeaveDateTime: '2026-05-29' });
    const run = await runTasks(
      'leaver',
      [
        { task: 'sendEmailToManagerBeforeLastDay' },
        { task: 'sendEmailOnUsersLastDay', arguments: { locale: 'fr' } },
        {
          task: 'sendEmailToManagerAfterLastDay',
          arguments: { subject: 'Goodbye from {{user.displayName}}' },
        },
      ],
      p.id,
    );
    expect(run.status).toBe('completed');
    const before = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.subject === "Leaving Person's last day is May 29, 2026",
    );
    expect(before.text).toContain('Hello Maya Manager');
    await t.smtp.waitFor(
      (m) =>
        m.to.includes(manager.userName) &&
        m.subject === "C'est aujourd'hui le dernier jour de Leaving Person",
    );
    await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.subject === 'Goodbye from Leaving Person',
    );
    expect(mailsTo(p.userName)).toEqual([]);
  });

  it("an e-mail to the manager is in the manager's language, not the person's", async () => {
    const french = await t.person({
      userName: 'francoise.manager@example.com',
      displayName: 'Françoise Manager',
      emails: [{ value: 'francoise.manager@example.com', primary: true }],
      preferredLanguage: 'fr',
    });
    const english = await person({
      displayName: 'Edward English',
      preferredLanguage: 'en',
      managerId: french.id,
    });
    const french2 = await person({ displayName: 'Fabienne French', preferredLanguage: 'fr' });
    await runTasks('leaver', [{ task: 'sendEmailOnUsersLastDay' }], english.id);
    await runTasks('leaver', [{ task: 'sendEmailOnUsersLastDay' }], french2.id);
    await t.smtp.waitFor(
      (m) =>
        m.to.includes(french.userName) && m.subject === "C'est aujourd'hui le dernier jour de Edward English",
    );
    await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.subject === "Today is Fabienne French's last day",
    );
  });

  it('a manager e-mail for someone without a manager fails the task', async () => {
    const p = await person({ managerId: null });
    const run = await runTasks('leaver', [{ task: 'sendEmailOnUsersLastDay' }], p.id);
    expect(run.status).toBe('failed');
    expect(String(run.tasks?.[0]?.error?.message)).toMatch(/no manager/);
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

describe('concurrency', () => {
  it('two executors at once perform each task once', async () => {
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await person());
    const w = await workflow('joiner', [
      { task: 'addUserToGroups', arguments: { groupIds: [groups.delta] } },
      { task: 'sendWelcomeEmail' },
    ]);
    // Queue the runs due a minute ahead (so the app's own executor leaves them), then run two
    // executors over them at once, the app's own job joining in as it likes.
    const now = t.clock.now();
    t.clock.advance(60_000);
    const runIds = await t.activate(
      w.id,
      people.map((p) => p.id),
    );
    t.clock.set(now);
    t.clock.advance(60_000);
    const [a, b] = await Promise.all([t.app.workflows.executeDue(), t.app.workflows.executeDue()]);
    await t.execute();
    expect((a ?? 0) + (b ?? 0)).toBeLessThanOrEqual(runIds.length);
    const db = t.app.database.db;
    const adds = await db
      .selectFrom('audit_log')
      .select(['changes'])
      .where('action', '=', 'membership.add')
      .where('target_id', '=', groups.delta as string)
      .execute();
    const added = adds.map((r) => (r.changes[0]?.after as { id: string } | undefined)?.id).sort();
    expect(added).toEqual(people.map((p) => p.id).sort());
    const deliveries = await db
      .selectFrom('email_deliveries')
      .select(['run_id'])
      .where('run_id', 'in', runIds)
      .execute();
    expect(deliveries.map((d) => d.run_id).sort()).toEqual([...runIds].sort());
    for (const id of runIds) {
      const run = await t.run(id);
      expect(run.status).toBe('completed');
      expect(run.tasks?.map((x) => x.attempts)).toEqual([1, 1]);
    }
  });
});

describe('batches', () => {
  it("runs of one workflow execute together, each person's failure their own and each change tagged with its run", async () => {
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await person({ accountEnabled: false }));
    const [gone, member, ...rest] = people as unknown as [
      { id: string },
      { id: string },
      ...{ id: string }[],
    ];
    await addTo(groups.gamma as string, member.id);
    const w = await workflow('joiner', [
      { task: 'enableUserAccount' },
      { task: 'addUserToGroups', arguments: { groupIds: [groups.alpha, groups.beta] } },
      { task: 'removeUserFromSelectedGroups', arguments: { groupIds: [groups.gamma] } },
    ]);
    // Queued ahead, so they are claimed in one batch once due; one person is deleted meanwhile.
    const now = t.clock.now();
    t.clock.advance(60_000);
    const runIds = await t.activate(
      w.id,
      people.map((p) => p.id),
    );
    t.clock.set(now);
    expect((await t.api('DELETE', `/users/${gone.id}`)).status).toBe(200);
    t.clock.advance(60_000);
    await t.execute();
    const runs = await Promise.all(runIds.map((id) => t.run(id)));
    const byUser = new Map(runs.map((r) => [r.userId, r]));
    const failed = byUser.get(gone.id) as WorkflowRun;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'directory.user_not_found' });
    expect(failed.tasks?.map((x) => [x.task, x.status])).toEqual([['enableUserAccount', 'failed']]);
    for (const p of [member, ...rest]) {
      const run = byUser.get(p.id) as WorkflowRun;
      expect(run.status).toBe('completed');
      expect(run.tasks?.map((x) => [x.task, x.status])).toEqual([
        ['enableUserAccount', 'completed'],
        ['addUserToGroups', 'completed'],
        ['removeUserFromSelectedGroups', 'completed'],
      ]);
      expect(run.tasks?.[1]?.result).toEqual({ added: [groups.alpha, groups.beta].sort() });
      expect(run.tasks?.[2]?.result).toEqual({ removed: p.id === member.id ? [groups.gamma] : [] });
      expect((await user(p.id)).accountEnabled).toBe(true);
      expect(await directGroups(p.id)).toEqual([groups.alpha, groups.beta].sort());
    }
    expect((await user(gone.id)).accountEnabled).toBe(false);
    // The audit log names the workflow, and each person's rows carry their own run's id.
    const db = t.app.database.db;
    const rows = await db
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'changes', 'correlation_id', 'actor_name'])
      .where(
        'correlation_id',
        'in',
        runIds.map((id) => `workflow-run-${id}`),
      )
      .execute();
    const subject = (r: (typeof rows)[number]) =>
      r.action === 'user.update'
        ? r.target_id
        : ((r.changes[0]?.after ?? r.changes[0]?.before) as { id: string } | undefined)?.id;
    for (const r of rows) {
      const run = runs.find((x) => `workflow-run-${x.id}` === r.correlation_id) as WorkflowRun;
      expect(subject(r)).toBe(run.userId);
      expect(r.actor_name).toMatch(/^workflow: Tasks workflow/);
    }
    // Five enabled, each added to two groups; one removed from gamma.
    expect(rows.map((r) => r.action).sort()).toEqual([
      ...Array(5).fill('membership.add'),
      ...Array(5).fill('membership.add'),
      'membership.remove',
      ...Array(5).fill('user.update'),
    ]);
    const events = await db
      .selectFrom('events')
      .select(['type', 'correlation_id'])
      .where('correlation_id', '=', `workflow-run-${byUser.get(member.id)?.id}`)
      .execute();
    expect(events.map((e) => e.type).sort()).toEqual([
      'membership.added',
      'membership.added',
      'membership.removed',
      'user.enabled',
    ]);
  });
});

describe('mail tasks in a batch', () => {
  const home = (p: { userName: string }) => p.userName.replace('@example.com', '@home.example');
  it('each run queues its own mail and code; a person without an address fails alone', async () => {
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await person());
    const silent = await person({ emails: [], personalEmail: null });
    const w = await workflow('joiner', [
      { task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' }, continueOnError: true },
      { task: 'sendWelcomeEmail' },
    ]);
    const now = t.clock.now();
    t.clock.advance(60_000);
    const runIds = await t.activate(w.id, [...people.map((p) => p.id), silent.id]);
    t.clock.set(now);
    t.clock.advance(60_000);
    await t.execute();
    const runs = await Promise.all(runIds.map((id) => t.run(id)));
    const byUser = new Map(runs.map((r) => [r.userId, r]));
    const quiet = byUser.get(silent.id) as WorkflowRun;
    expect(quiet.status).toBe('failed');
    expect(quiet.tasks?.map((x) => [x.task, x.status])).toEqual([
      ['generateActivationCode', 'failed'],
      ['sendWelcomeEmail', 'failed'],
    ]);
    const db = t.app.database.db;
    const codes = new Set<string>();
    for (const p of people) {
      const run = byUser.get(p.id) as WorkflowRun;
      expect(run.status).toBe('completed');
      const [code, welcome] = run.tasks ?? [];
      expect(code?.result).toMatchObject({ sentTo: [home(p)] });
      expect(welcome?.result).toMatchObject({ to: [p.userName] });
      // Each run's deliveries are its own: for its person, tagged with its run id.
      const deliveries = await db
        .selectFrom('email_deliveries')
        .select(['id', 'user_id', 'run_id', 'correlation_id', 'to_address'])
        .where('run_id', '=', run.id)
        .orderBy('created_at')
        .execute();
      expect(deliveries.map((d) => d.to_address).sort()).toEqual([p.userName, home(p)].sort());
      for (const d of deliveries) {
        expect(d.user_id).toBe(p.id);
        expect(d.correlation_id).toBe(`workflow-run-${run.id}`);
      }
      const named = [code, welcome].flatMap(
        (x) => (x?.result as { deliveries?: string[] } | undefined)?.deliveries ?? [],
      );
      expect(named.sort()).toEqual(deliveries.map((d) => d.id).sort());
      const mail = await t.smtp.waitFor((m) => m.to.includes(home(p)));
      const sent = /: ([A-Z0-9]{6,})\s/.exec(mail.text)?.[1];
      expect(sent).toBeDefined();
      codes.add(sent as string);
    }
    // One live code per person, each different.
    expect(codes.size).toBe(people.length);
    const live = await db
      .selectFrom('activation_codes')
      .select('user_id')
      .where(
        'user_id',
        'in',
        people.map((p) => p.id),
      )
      .where('revoked_at', 'is', null)
      .execute();
    expect(live.map((r) => r.user_id).sort()).toEqual(people.map((p) => p.id).sort());
  });
});

describe('a batch that rolls back', () => {
  it('executes its runs again one by one, each task once', async () => {
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await person());
    const { body: target } = await t.api<{ id: string }>('POST', '/groups', { displayName: 'Batch refused' });
    const db = t.app.database.db;
    // The store refuses any statement that adds two members to this group at once: the batch's one
    // insert fails, so its whole transaction must roll back, and each run must then add its own person.
    await sql`create or replace function joinery_test_one_member_at_a_time() returns trigger language plpgsql as $$
      begin
        if (select count(*) from added where group_id = ${sql.lit(target.id)}::uuid) > 1 then
          raise exception 'one member at a time';
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger joinery_test_one_member_at_a_time after insert on group_members
      referencing new table as added for each statement execute function joinery_test_one_member_at_a_time()`.execute(
      db,
    );
    try {
      const w = await workflow('joiner', [
        { task: 'addUserToGroups', arguments: { groupIds: [target.id] } },
        { task: 'enableUserAccount' },
      ]);
      const now = t.clock.now();
      t.clock.advance(60_000);
      const runIds = await t.activate(
        w.id,
        people.map((p) => p.id),
      );
      t.clock.set(now);
      t.clock.advance(60_000);
      await t.execute();
      for (const id of runIds) {
        const run = await t.run(id);
        expect(run.status).toBe('completed');
        expect(run.tasks?.map((x) => [x.task, x.status, x.attempts])).toEqual([
          ['addUserToGroups', 'completed', 1],
          ['enableUserAccount', 'completed', 1],
        ]);
        expect(run.tasks?.[0]?.result).toEqual({ added: [target.id] });
      }
      const adds = await db
        .selectFrom('audit_log')
        .select(['changes'])
        .where('action', '=', 'membership.add')
        .where('target_id', '=', target.id)
        .execute();
      expect(adds.map((r) => (r.changes[0]?.after as { id: string } | undefined)?.id).sort()).toEqual(
        people.map((p) => p.id).sort(),
      );
    } finally {
      await sql`drop trigger joinery_test_one_member_at_a_time on group_members`.execute(db);
      await sql`drop function joinery_test_one_member_at_a_time()`.execute(db);
    }
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

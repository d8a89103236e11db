import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskWorld, type Task, type TaskWorld } from '../../test/workflow-tasks.ts';
import type { WorkflowTestApp } from '../../test/workflows.ts';
import type { WorkflowRun } from './index.ts';

/** Runs executed together: concurrent executors, batches of one workflow, mail in a batch, a batch that rolls back. */
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
const user = (id: string) => world.user(id);
const directGroups = (id: string) => world.directGroups(id);
const addTo = (groupId: string, userId: string) => world.addTo(groupId, userId);

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

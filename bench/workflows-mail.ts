// The mail tasks of the workflows benchmark (B6): an on-demand "welcome pack" workflow that issues an
// activation code to the person's personal address and sends the welcome e-mail, run for a sample of
// live people with a personal address and a manager. The e-mails are queued (delivery rows and jobs,
// in the task's transaction) but not sent: the app runs in mode 'serve', so no delivery worker runs.
// Ceiling: as many autocommit single-row `UPDATE workflow_runs` transactions as tasks completed, at
// the executor's concurrency, on the same runs' rows, right after Joinery.
import { sql } from 'kysely';
import type { App } from '../src/app.ts';
import { systemContext } from '../src/core/index.ts';
import type { Db } from '../src/db/index.ts';
import { fmtInt, fmtSec, seconds, table } from './support.ts';
import { type TaskCeiling, taskCeiling } from './workflows-ceiling.ts';

export interface MailResult {
  people: number;
  s: number;
  completed: number;
  failed: number;
  deliveries: number;
  codes: number;
  ceiling: TaskCeiling;
}

export async function benchMailTasks(
  app: App,
  db: Db,
  people: number,
  concurrency: number,
  at: Date,
): Promise<MailResult> {
  const { rows } = await sql<{ id: string }>`
    select id from users
     where deleted_at is null and personal_email is not null and manager_id is not null
     order by id limit ${people}`.execute(db);
  const ids = rows.map((r) => r.id);
  const ctx = systemContext('bench-workflows-mail');
  const made = await app.workflows.create(ctx, {
    name: 'Welcome pack (benchmark)',
    category: 'joiner',
    trigger: { type: 'onDemand' },
    tasks: [
      { task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' } },
      { task: 'sendWelcomeEmail' },
    ],
  });
  if (!made.ok) throw new Error(`creating the mail workflow failed: ${made.error.message}`);
  const runIds: string[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const activated = await app.workflows.activate(ctx, made.value.id, ids.slice(i, i + 1000));
    if (!activated.ok) throw new Error(`activating the mail workflow failed: ${activated.error.message}`);
    runIds.push(...activated.value.runIds);
  }
  const s = await seconds(async () => {
    await app.workflows.executeDue();
  });
  const { rows: tasks } = await sql<{ status: string; n: number }>`
    select t.status, count(*)::integer as n from workflow_task_results t
      join workflow_runs r on r.id = t.run_id
     where r.workflow_id = ${made.value.id} group by t.status`.execute(db);
  const by = Object.fromEntries(tasks.map((t) => [t.status, t.n]));
  const { rows: counts } = await sql<{ deliveries: number; codes: number }>`
    select (select count(*)::integer from email_deliveries where run_id = any(${runIds}::uuid[])) as deliveries,
           (select count(*)::integer from activation_codes
             where user_id = any(${ids}::uuid[]) and revoked_at is null) as codes`.execute(db);
  const completed = by.completed ?? 0;
  const ceiling = await taskCeiling(db, { table: 'workflow_runs', ids: runIds }, completed, concurrency, at);
  return {
    people: ids.length,
    s,
    completed,
    failed: by.failed ?? 0,
    deliveries: counts[0]?.deliveries ?? 0,
    codes: counts[0]?.codes ?? 0,
    ceiling,
  };
}

export function printMail(engine: string, r: MailResult, concurrency: number): void {
  const rate = r.completed / r.s;
  const ceil = r.ceiling.transactions / r.ceiling.s;
  console.log(
    `\n${engine} mail tasks: an on-demand workflow (generateActivationCode to the personal address, ` +
      `sendWelcomeEmail) for ${fmtInt(r.people)} people, executor concurrency ${concurrency}`,
  );
  console.log(
    table(
      ['mail tasks', 'tasks', 's', 'tasks/s', 'vs ceiling'],
      [
        [
          `ceiling: UPDATE workflow_runs ... RETURNING, ${concurrency} at a time`,
          fmtInt(r.ceiling.transactions),
          fmtSec(r.ceiling.s),
          fmtInt(ceil),
          '100%',
        ],
        [
          'joinery executeDue (completed tasks)',
          fmtInt(r.completed),
          fmtSec(r.s),
          fmtInt(rate),
          `${((rate / ceil) * 100).toFixed(0)}%`,
        ],
      ],
    ),
  );
  console.log(
    `${fmtInt(r.deliveries)} e-mails queued, ${fmtInt(r.codes)} live activation codes, ${fmtInt(r.failed)} failed tasks.`,
  );
  if (r.failed > 0 || r.completed !== 2 * r.people || r.codes !== r.people || r.deliveries !== 2 * r.people) {
    console.log('CHECK FAILED: every person must get one code, two e-mails and two completed tasks');
    process.exitCode = 1;
  }
}

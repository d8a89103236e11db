import PgBoss from 'pg-boss';
import type { Database } from '../db/index.ts';

/** pg-boss's schema name; also used by the few statements we run on its tables ourselves. */
export const JOB_SCHEMA = 'pgboss';

/**
 * A pg-boss instance on our database. Only processes that work run pg-boss's maintenance (expiring
 * stuck jobs, archiving) and its cron clock: a serve-only copy just sends.
 *
 * pg-boss runs on `database.executor` on both engines. PGlite: it serialises through the store's
 * mutex, runs parameterless multi-statement text with `exec`, and rolls back after an error.
 * PostgreSQL: it shares our pool through `pool.query`. pg-boss sends some commands as one text
 * `BEGIN; ...; COMMIT;` (its locked(): schema creation, migrations, maintenance); if one fails, that
 * session is left in an aborted transaction, but pg-pool discards a client whose query failed, so the
 * pool stays usable (locked-command-recovery.test.ts guards this).
 */
export function createBoss(database: Database, options: { work: boolean }): PgBoss {
  return new PgBoss({
    db: database.executor,
    schema: JOB_SCHEMA,
    // Creates the schema on a fresh database and migrates an old one; a no-op when it is current.
    migrate: true,
    supervise: options.work,
    schedule: options.work,
  });
}

/** Creates (or migrates) pg-boss's schema without starting any worker: for `migrate` and test templates. */
export async function installJobSchema(database: Database): Promise<void> {
  const boss = createBoss(database, { work: false });
  await boss.start();
  await boss.stop({ graceful: false, close: false });
}

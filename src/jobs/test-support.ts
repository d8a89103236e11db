// Helpers for this module's tests only.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/index.ts';
import { JOB_SCHEMA } from './boss.ts';

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface JobRow {
  name: string;
  state: string;
  data: unknown;
  retry_count: number;
  retry_limit: number;
  retry_delay: number;
  retry_backoff: boolean;
  output: { message?: string } | null;
}

/** The job's row in pg-boss's table, read straight from the database. */
export async function jobRow(database: Database, id: string): Promise<JobRow | undefined> {
  const { rows } = await database.executor.executeSql(
    `select name, state::text as state, data, retry_count, retry_limit, retry_delay, retry_backoff, output
       from ${JOB_SCHEMA}.job where id = $1`,
    [id],
  );
  return rows[0] as JobRow | undefined;
}

/** Waits until the job reaches `state` and returns its row. */
export function jobInState(database: Database, id: string, state: string): Promise<JobRow> {
  return waitFor(`job ${id} to be ${state}`, async () => {
    const row = await jobRow(database, id);
    return row?.state === state ? row : undefined;
  });
}

/** Waits until a handler's outcome is stored (state neither created nor active) and returns the row. */
export function jobSettled(database: Database, id: string): Promise<JobRow> {
  return waitFor(`job ${id} to settle`, async () => {
    const row = await jobRow(database, id);
    return row && row.state !== 'created' && row.state !== 'active' ? row : undefined;
  });
}

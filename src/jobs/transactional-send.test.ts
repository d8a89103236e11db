import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { silentLogger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type Jobs } from './index.ts';
import { jobInState, jobRow } from './test-support.ts';

let database: Database;
let jobs: Jobs;
let seen: string[];

beforeEach(async () => {
  database = await openTestDatabase();
  seen = [];
  jobs = createJobs({ database, logger: silentLogger });
  jobs.register<{ n: string }>('welcome', async (job) => void seen.push(job.data.n), {
    pollingIntervalSeconds: 0.5,
  });
  await jobs.start({ work: true });
});

afterEach(async () => {
  await jobs.stop({ graceful: false });
  await database.close();
});

it('drops jobs sent in a transaction that rolls back', async () => {
  let id: string | null = null;
  const rolledBack = database.db.transaction().execute(async (tx) => {
    id = await jobs.send('welcome', { n: 'rolled back' }, { tx });
    await jobs.sendMany('welcome', [{ n: 'many rolled back' }], { tx });
    throw new Error('abort');
  });
  await expect(rolledBack).rejects.toThrow('abort');

  expect(id).toEqual(expect.any(String));
  expect(await jobRow(database, id!)).toBeUndefined();
  expect((await jobs.stats()).welcome).toEqual({ queued: 0, active: 0, failed: 0, completed: 0 });
  // A job sent afterwards runs, proving the worker was polling all along.
  await jobInState(database, (await jobs.send('welcome', { n: 'after' }))!, 'completed');
  expect(seen).toEqual(['after']);
});

it('runs jobs sent in a transaction only once it commits', async () => {
  let id: string | null = null;
  await database.db.transaction().execute(async (tx) => {
    id = await jobs.send('welcome', { n: 'committed' }, { tx });
    await jobs.sendMany('welcome', [{ n: 'many committed' }], { tx });
    // Several polling intervals pass while the transaction is open: the worker must not see the jobs.
    await sleep(1200);
    expect(seen).toEqual([]);
  });

  await jobInState(database, id!, 'completed');
  await expect.poll(() => [...seen].sort(), { timeout: 30_000 }).toEqual(['committed', 'many committed']);
});

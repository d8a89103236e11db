import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { silentLogger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type Jobs } from './index.ts';
import { jobInState, jobRow, waitFor } from './test-support.ts';

let database: Database;
let jobs: Jobs;
let release: () => void;
let started: string[];

beforeEach(async () => {
  database = await openTestDatabase();
  started = [];
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  jobs = createJobs({ database, logger: silentLogger });
  jobs.register(
    'slow',
    async (job) => {
      started.push(job.id);
      await gate;
    },
    { batchSize: 1, pollingIntervalSeconds: 0.5 },
  );
  await jobs.start({ work: true });
});

afterEach(async () => {
  release();
  await jobs.stop({ graceful: false });
  await database.close();
});

it('drains: a job in flight at a graceful stop finishes and is completed, no new job is fetched', async () => {
  const first = await jobs.send('slow', { n: 1 });
  await waitFor('the first job to start', () => (started.length === 1 ? true : undefined));
  const second = await jobs.send('slow', { n: 2 });

  let stopped = false;
  const stopping = jobs.stop({ graceful: true }).then(() => {
    stopped = true;
  });
  await sleep(200);
  expect(stopped).toBe(false);
  expect((await jobRow(database, first!))?.state).toBe('active');

  release();
  await stopping;
  expect((await jobRow(database, first!))?.state).toBe('completed');
  expect((await jobRow(database, second!))?.state).toBe('created');
  expect(started).toEqual([first]);
});

it('fails a job that outlives the drain timeout for retry instead of leaving it active', async () => {
  const id = await jobs.send('slow', {});
  await waitFor('the job to start', () => (started.length === 1 ? true : undefined));

  await jobs.stop({ graceful: true, timeoutMs: 300 });

  const row = await jobInState(database, id!, 'retry');
  expect(row.output).toMatchObject({ message: 'worker stopped before the job finished' });
});

import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { silentLogger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type Jobs } from './index.ts';
import { waitFor } from './test-support.ts';

let database: Database;
const running: Jobs[] = [];

function newJobs(onRun: (data: unknown) => void = () => {}): Jobs {
  const jobs = createJobs({ database, logger: silentLogger });
  jobs.register('nightly-report', async (job) => onRun(job.data), { pollingIntervalSeconds: 0.5 });
  running.push(jobs);
  return jobs;
}

beforeEach(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  for (const jobs of running.splice(0)) await jobs.stop({ graceful: false });
  await database.close();
});

it('registers a cron schedule in UTC, replacing the previous one', async () => {
  const jobs = newJobs();
  await jobs.start({ work: false });

  await jobs.schedule('nightly-report', '0 2 * * *', { full: true });
  await jobs.schedule('nightly-report', '30 3 * * *', { full: false });

  const { rows } = await database.executor.executeSql(
    'select name, cron, timezone, data from pgboss.schedule',
  );
  expect(rows).toEqual([
    { name: 'nightly-report', cron: '30 3 * * *', timezone: 'UTC', data: { full: false } },
  ]);
  await expect(jobs.schedule('nightly-report', 'not a cron')).rejects.toThrow();
  await expect(jobs.schedule('unregistered', '* * * * *')).rejects.toThrow(/no queue named/);
});

it('sends the scheduled job when a worker runs', async () => {
  const setup = newJobs();
  await setup.start({ work: false });
  await setup.schedule('nightly-report', '* * * * *', { every: 'minute' });
  await setup.stop();

  const seen: unknown[] = [];
  const worker = newJobs((data) => seen.push(data));
  await worker.start({ work: true });

  await waitFor('the scheduled job to run', () => (seen.length > 0 ? true : undefined));
  expect(seen[0]).toEqual({ every: 'minute' });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { AppError, createLogger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type Jobs, NonRetryableError } from './index.ts';
import { jobInState, jobSettled, waitFor } from './test-support.ts';

let database: Database;
let jobs: Jobs;
let logs: Array<Record<string, unknown>>;
let outcomes: string[];

beforeEach(async () => {
  database = await openTestDatabase();
  logs = [];
  outcomes = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  jobs = createJobs({ database, logger, onJobFinished: (_name, outcome) => outcomes.push(outcome) });
});

afterEach(async () => {
  await jobs.stop({ graceful: false });
  await database.close();
});

describe('failing jobs', () => {
  it('retries a retryable failure with backoff until it succeeds', async () => {
    const retryCounts: number[] = [];
    jobs.register(
      'flaky',
      async (job) => {
        retryCounts.push(job.retryCount);
        if (retryCounts.length <= 2) throw new Error('peer unavailable');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await jobs.start({ work: true });

    const id = await jobs.send('flaky', { x: 1 });
    const row = await jobInState(database, id!, 'completed');

    expect(retryCounts).toEqual([0, 1, 2]);
    expect(row).toMatchObject({ retry_count: 2, retry_limit: 5, retry_delay: 1, retry_backoff: true });
    expect(outcomes).toEqual(['retry', 'retry', 'completed']);
    const failures = logs.filter((l) => l.jobId === id && l.retry === true);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ queue: 'flaky', level: 40, err: { message: 'peer unavailable' } });
  });

  it('delays a retry by the queue retry delay', async () => {
    jobs.register(
      'slow-retry',
      async () => {
        throw new Error('try later');
      },
      { pollingIntervalSeconds: 0.5, retryDelaySeconds: 30 },
    );
    await jobs.start({ work: true });

    const id = await jobs.send('slow-retry', {});
    await jobInState(database, id!, 'retry');
    const { rows } = await database.executor.executeSql(
      `select start_after > now() + interval '25 seconds' as delayed, output from pgboss.job where id = $1`,
      [id],
    );
    expect(rows[0]).toMatchObject({ delayed: true, output: { message: 'try later' } });
  });

  it('fails for good once the retries are used up', async () => {
    let attempts = 0;
    jobs.register(
      'doomed',
      async () => {
        attempts++;
        throw new Error('still down');
      },
      { pollingIntervalSeconds: 0.5, retryLimit: 1, retryBackoff: false },
    );
    await jobs.start({ work: true });

    const id = await jobs.send('doomed', {});
    const row = await jobInState(database, id!, 'failed');
    expect(attempts).toBe(2);
    expect(row).toMatchObject({ retry_count: 1, retry_limit: 1 });
    expect(outcomes).toEqual(['retry', 'failed']);
  });

  it('fails a NonRetryableError once, without retry', async () => {
    let attempts = 0;
    jobs.register(
      'strict',
      async () => {
        attempts++;
        throw new NonRetryableError('invalid employee record');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await jobs.start({ work: true });

    const id = await jobs.send('strict', {});
    // If pg-boss stops honouring the lowered retry_limit, the job settles in 'retry' instead.
    const row = await jobSettled(database, id!);
    expect(row).toMatchObject({
      state: 'failed',
      retry_count: 0,
      retry_limit: 0,
      output: { message: 'invalid employee record' },
    });
    expect(attempts).toBe(1);
    expect(outcomes).toEqual(['failed']);
    expect(logs.find((l) => l.jobId === id)).toMatchObject({ queue: 'strict', retry: false, level: 50 });
  });

  it('treats an error marked retryable=false (AppError by default) as final', async () => {
    jobs.register(
      'app-error',
      async () => {
        throw new AppError({ code: 'directory.user_not_found', message: 'no such user' });
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await jobs.start({ work: true });

    const id = await jobs.send('app-error', {});
    const row = await jobSettled(database, id!);
    expect(row).toMatchObject({ state: 'failed', retry_count: 0, output: { message: 'no such user' } });
  });

  it('gives each job of a batch its own outcome', async () => {
    jobs.register<{ n: number; fail?: 'retry' | 'final' }>(
      'mixed',
      async (job) => {
        if (job.data.fail === 'retry') throw new Error('transient');
        if (job.data.fail === 'final') throw new NonRetryableError('permanent');
      },
      { batchSize: 10, pollingIntervalSeconds: 0.5, retryDelaySeconds: 60 },
    );
    await jobs.start({ work: true });

    // One insert, so the worker fetches all four in one batch.
    await jobs.sendMany('mixed', [{ n: 1 }, { n: 2, fail: 'retry' }, { n: 3, fail: 'final' }, { n: 4 }]);
    const states = await waitFor('all four settled', async () => {
      const { rows } = await database.executor.executeSql(
        `select (data->>'n')::int as n, state::text as state from pgboss.job where name = 'mixed' order by 1`,
      );
      return rows.every((r) => r.state !== 'created' && r.state !== 'active') && rows.length === 4
        ? rows
        : undefined;
    });
    expect(states).toEqual([
      { n: 1, state: 'completed' },
      { n: 2, state: 'retry' },
      { n: 3, state: 'failed' },
      { n: 4, state: 'completed' },
    ]);
  });
});

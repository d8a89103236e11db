import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { silentLogger } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type JobContext, type Jobs } from './index.ts';
import { jobInState, jobRow, waitFor } from './test-support.ts';

let database: Database;
let jobs: Jobs | undefined;

beforeEach(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  await jobs?.stop({ graceful: false });
  jobs = undefined;
  await database.close();
});

describe('running jobs', () => {
  it('runs a sent job with its data and marks it completed', async () => {
    const seen: JobContext<{ userId: string }>[] = [];
    const finished: string[] = [];
    jobs = createJobs({
      database,
      logger: silentLogger,
      onJobFinished: (name, outcome) => finished.push(`${name}:${outcome}`),
    });
    jobs.register<{ userId: string }>(
      'provision',
      async (job) => {
        seen.push(job);
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await jobs.start({ work: true });

    const id = await jobs.send('provision', { userId: 'u1' });
    expect(id).toEqual(expect.any(String));
    await jobInState(database, id!, 'completed');

    expect(seen).toEqual([{ id, name: 'provision', data: { userId: 'u1' }, retryCount: 0 }]);
    expect(finished).toEqual(['provision:completed']);
  });

  it('carries arrays and strings as job data', async () => {
    const seen: unknown[] = [];
    jobs = createJobs({ database, logger: silentLogger });
    jobs.register('echo', async (job) => void seen.push(job.data), { pollingIntervalSeconds: 0.5 });
    await jobs.start({ work: true });

    const a = await jobs.send('echo', [1, 2, 3]);
    const b = await jobs.send('echo', 'plain text');
    await jobInState(database, a!, 'completed');
    await jobInState(database, b!, 'completed');
    expect(seen).toHaveLength(2);
    expect(seen).toContainEqual([1, 2, 3]);
    expect(seen).toContain('plain text');
  });

  it('runs every job of sendMany, more than one batch, each once', async () => {
    const seen: number[] = [];
    jobs = createJobs({ database, logger: silentLogger });
    jobs.register<{ n: number }>('count', async (job) => void seen.push(job.data.n), {
      batchSize: 7,
      pollingIntervalSeconds: 0.5,
    });
    await jobs.start({ work: true });

    const items = Array.from({ length: 40 }, (_, n) => ({ n }));
    await jobs.sendMany('count', items);
    await waitFor('all jobs to run', () => (seen.length >= 40 ? true : undefined));
    const stats = await waitFor('all completions recorded', async () => {
      const s = await jobs!.stats();
      return s.count?.completed === 40 ? s : undefined;
    });

    expect([...seen].sort((x, y) => x - y)).toEqual(items.map((i) => i.n));
    expect(stats).toEqual({ count: { queued: 0, active: 0, failed: 0, completed: 40 } });
  });

  it('queues without working when started with work=false', async () => {
    let ran = false;
    jobs = createJobs({ database, logger: silentLogger });
    jobs.register('idle', async () => {
      ran = true;
    });
    await jobs.start({ work: false });

    const id = await jobs.send('idle', { x: 1 });
    expect((await jobRow(database, id!))?.state).toBe('created');
    expect(await jobs.stats()).toEqual({ idle: { queued: 1, active: 0, failed: 0, completed: 0 } });
    expect(ran).toBe(false);
  });

  it('delays a job sent with startAfterSeconds', async () => {
    jobs = createJobs({ database, logger: silentLogger });
    jobs.register('later', async () => {});
    await jobs.start({ work: false });

    const id = await jobs.send('later', {}, { startAfterSeconds: 3600 });
    const { rows } = await database.executor.executeSql(
      `select start_after > now() + interval '59 minutes' as later from pgboss.job where id = $1`,
      [id],
    );
    expect(rows[0]?.later).toBe(true);
  });

  it('deduplicates by singletonKey on a short-policy queue', async () => {
    jobs = createJobs({ database, logger: silentLogger });
    jobs.register('sync-user', async () => {}, { policy: 'short' });
    await jobs.start({ work: false });

    const first = await jobs.send('sync-user', { u: 1 }, { singletonKey: 'u1' });
    const second = await jobs.send('sync-user', { u: 1 }, { singletonKey: 'u1' });
    const other = await jobs.send('sync-user', { u: 2 }, { singletonKey: 'u2' });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect(other).toEqual(expect.any(String));
  });

  it('refuses queues that are not registered, and registration after start', async () => {
    jobs = createJobs({ database, logger: silentLogger });
    jobs.register('known', async () => {});
    await expect(jobs.send('known', {})).rejects.toThrow(/new/);
    await jobs.start({ work: false });
    await expect(jobs.send('unknown', {})).rejects.toThrow(/no queue named unknown/);
    expect(() => jobs!.register('late', async () => {})).toThrow(/before start/);
  });
});

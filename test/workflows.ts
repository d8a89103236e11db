import { expect } from 'vitest';
import { type FakeClock, fakeClock, systemContext } from '../src/core/index.ts';
import type { WorkflowRun } from '../src/workflows/index.ts';
import { createTestApp, type TestApp } from './app.ts';
import { bulkBody } from './inbound.ts';
import { eventually } from './outbound.ts';
import { startSmtpServer } from './peers/smtp.ts';

export interface WorkflowTestApp extends TestApp {
  clock: FakeClock;
  admin: string;
  smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** POST /api/v1/workflows; expects 201 and returns the workflow. */
  createWorkflow(body: Record<string, unknown>): Promise<{ id: string; version: number }>;
  /** An HR bulkUpload to the default `hr` source, drained before it returns. */
  hr(people: Record<string, unknown>[]): Promise<void>;
  userId(employeeId: string): Promise<string>;
  /** One scheduler pass at the fake clock's time, then every due run executed. */
  pass(): Promise<{ runs: number }>;
  /** Executes every due run (as the executor job does). */
  execute(): Promise<number>;
  runsOf(userId: string): Promise<WorkflowRun[]>;
}

/**
 * The whole app on a fake clock, with real workers (outbox dispatcher for event triggers, e-mail
 * delivery jobs) and a real SMTP server. Scheduler passes are called by the test at chosen moments.
 */
export async function createWorkflowTestApp(
  options: { start?: string; env?: Record<string, string> } = {},
): Promise<WorkflowTestApp> {
  const smtp = await startSmtpServer();
  const clock = fakeClock(options.start ?? '2026-03-01T00:00:00Z');
  const t = await createTestApp({
    mode: 'work',
    clock,
    env: {
      JOINERY_SMTP_HOST: '127.0.0.1',
      JOINERY_SMTP_PORT: String(smtp.port),
      JOINERY_EVENT_POLL_MS: '50',
      JOINERY_PUBLIC_URL: 'https://joinery.example.test',
      // The test calls passes itself; the cron one would run at a moment of its own.
      JOINERY_WORKFLOWS_SCHEDULE: '0 0 1 1 *',
      ...options.env,
    },
  });
  await t.app.start();
  await t.app.inbound.ensureDefaultSource(systemContext('test'));
  const admin = await t.token(['admin']);
  const upload = await t.token(['inbound.upload']);
  const api: WorkflowTestApp['api'] = async (method, path, body) => {
    const res = await t.call(method, `/api/v1${path}`, { token: admin, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };
  // The executor job runs too (real workers): after executing here, wait until no due run is still
  // queued or held by it, so the test reads finished runs.
  const execute = async () => {
    const n = await t.app.workflows.executeDue();
    await eventually(
      async () => {
        const row = await t.app.database.db
          .selectFrom('workflow_runs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'in', ['queued', 'running'])
          .where('due_at', '<=', clock.now())
          .executeTakeFirstOrThrow();
        return Number(row.n) === 0 ? true : undefined;
      },
      20_000,
      'due workflow runs to finish',
    );
    return n;
  };
  return {
    ...t,
    clock,
    admin,
    smtp,
    api,
    async createWorkflow(body) {
      const r = await api<{ id: string; version: number }>('POST', '/workflows', body);
      if (r.status !== 201)
        throw new Error(`creating the workflow failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async hr(people) {
      const res = await t.call('POST', '/api/v1/inbound/sources/hr/bulkUpload', {
        token: upload,
        body: bulkBody(people),
        headers: { 'Content-Type': 'application/scim+json' },
      });
      expect(res.status, await res.clone().text()).toBe(202);
      const location = res.headers.get('location') ?? '';
      await eventually(
        async () => {
          const run = await api<{ status: string }>('GET', location.replace('/api/v1', ''));
          return run.body.status === 'completed' ? true : undefined;
        },
        20_000,
        'the HR upload to be processed',
      );
    },
    userId: (employeeId) =>
      eventually(
        async () => {
          const r = await api<{ items: Array<{ id: string }> }>(
            'GET',
            `/users?employeeId=${encodeURIComponent(employeeId)}`,
          );
          return r.body.items[0]?.id;
        },
        10_000,
        `the directory user ${employeeId}`,
      ),
    async pass() {
      const made = await t.app.workflows.pass();
      await execute();
      return { runs: made.runs };
    },
    execute,
    async runsOf(userId) {
      const r = await api<{ items: WorkflowRun[] }>('GET', `/workflows/runs?userId=${userId}`);
      return r.body.items;
    },
    async close() {
      await t.close();
      await smtp.close();
    },
  };
}

export { eventually };

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  /** GET /workflows/runs/:id (with its task results); expects 200. */
  run(runId: string): Promise<WorkflowRun>;
  /** Waits until the workflows event subscriber has seen every committed event, then executes due runs. */
  settle(): Promise<void>;
  /** POST /api/v1/users; expects 201. */
  person(body: Record<string, unknown>): Promise<{ id: string; userName: string }>;
  /** POST /workflows/:id/activate for these people; expects 202 and returns the run ids. */
  activate(workflowId: string, userIds: string[]): Promise<string[]>;
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
    async run(runId) {
      const r = await api<WorkflowRun>('GET', `/workflows/runs/${runId}`);
      if (r.status !== 200)
        throw new Error(`reading run ${runId} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async settle() {
      await eventually(
        async () => {
          const backlog = await t.app.dispatcher.backlog();
          return backlog.workflows === 0 ? true : undefined;
        },
        20_000,
        'the workflows subscriber to see every event',
      );
      await execute();
    },
    async person(body) {
      const r = await api<{ id: string; userName: string }>('POST', '/users', body);
      if (r.status !== 201)
        throw new Error(`creating the user failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async activate(workflowId, userIds) {
      const r = await api<{ runIds: string[] }>('POST', `/workflows/${workflowId}/activate`, {
        subjects: userIds.map((id) => ({ id })),
      });
      if (r.status !== 202) throw new Error(`activating failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.runIds;
    },
    async close() {
      await t.close();
      await smtp.close();
    },
  };
}

export { eventually };

export interface EndpointRequest {
  headers: IncomingHttpHeaders;
  /** The body exactly as received (the signature covers these bytes). */
  raw: string;
  body: Record<string, unknown>;
}

/** What the endpoint does with a request: answer with this status, or never answer. */
export type EndpointAnswer = number | 'hang';

export interface ExtensionEndpoint {
  url: string;
  requests: EndpointRequest[];
  /** Decides each answer (default 200); it may call back into the app before answering. */
  answer: (request: EndpointRequest) => EndpointAnswer | Promise<EndpointAnswer>;
  waitFor(count: number): Promise<EndpointRequest>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 standing in for a custom task extension's endpoint. */
export async function startExtensionEndpoint(): Promise<ExtensionEndpoint> {
  const requests: EndpointRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const endpoint: ExtensionEndpoint = {
    url: '',
    requests,
    answer: () => 200,
    waitFor: (count) =>
      eventually(async () => requests[count - 1], 20_000, `request ${count} at the extension endpoint`),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const request: EndpointRequest = { headers: req.headers, raw, body: raw ? JSON.parse(raw) : {} };
      requests.push(request);
      Promise.resolve(endpoint.answer(request)).then(
        (answer) => {
          if (answer === 'hang') {
            hanging.add(res);
            return;
          }
          res.writeHead(answer, { 'Content-Type': 'application/json' }).end('{}');
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return endpoint;
}

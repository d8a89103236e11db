import { expect } from 'vitest';
import { systemContext } from '../src/core/index.ts';
import { createTestApp, type TestApp } from './app.ts';
import { bulkBody } from './inbound.ts';

export interface OutboundTestApp extends TestApp {
  admin: string;
  /** POST /api/v1/outbound/apps; expects 201 and returns the app id. */
  createApp(body: Record<string, unknown>): Promise<string>;
  /** JSON of an admin-API call, with its status. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  status(appId: string): Promise<AppStatusBody>;
  /** Waits until the app has nothing due and no running cycle (the exporter is idle). */
  settle(appId: string, timeoutMs?: number): Promise<AppStatusBody>;
  /** An HR bulkUpload of these SCIM workers to the default `hr` source; expects 202. */
  hr(people: Record<string, unknown>[]): Promise<void>;
  /** The directory id of the HR worker with this employee id, once the upload is processed. */
  userId(employeeId: string): Promise<string>;
}

export interface AppStatusBody {
  state: string;
  pending: number;
  escrowed: number;
  linked: { users: number; groups: number };
  quarantine: { reason: string; message: string; retryAt: string; count: number } | null;
  hold: Record<string, unknown> | null;
  lastCycle: { id: string; kind: string; status: string; counts: Record<string, number> } | null;
  recentErrors: Array<{
    objectId: string;
    attempts: number;
    error: { code: string; message: string } | null;
  }>;
}

/** Polls `check` every 50 ms until it returns a value other than undefined. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The whole app with real workers (export jobs on the queue, the outbox dispatcher delivering directory
 * events), so a directory change reaches the target the way it does in production.
 */
export async function createOutboundTestApp(env: Record<string, string> = {}): Promise<OutboundTestApp> {
  const t = await createTestApp({
    mode: 'work',
    env: {
      JOINERY_OUTBOUND_RETRY_BASE_SECONDS: '1',
      JOINERY_OUTBOUND_QUARANTINE_RETRY_SECONDS: '1',
      JOINERY_EVENT_POLL_MS: '50',
      ...env,
    },
  });
  await t.app.start();
  const admin = await t.token(['admin']);
  const api: OutboundTestApp['api'] = async (method, path, body) => {
    const res = await t.call(method, `/api/v1${path}`, { token: admin, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };
  const status = async (appId: string) => {
    const r = await api<AppStatusBody>('GET', `/outbound/apps/${appId}/status`);
    expect(r.status).toBe(200);
    return r.body;
  };
  let upload: string | undefined;
  return {
    ...t,
    admin,
    api,
    status,
    async hr(people) {
      if (!upload) {
        await t.app.inbound.ensureDefaultSource(systemContext('test'));
        upload = await t.token(['inbound.upload']);
      }
      const res = await t.call('POST', '/api/v1/inbound/sources/hr/bulkUpload', {
        token: upload,
        body: bulkBody(people),
        headers: { 'Content-Type': 'application/scim+json' },
      });
      expect(res.status, await res.clone().text()).toBe(202);
    },
    userId: (employeeId) =>
      eventually(
        async () => {
          const r = await api<{ items: Array<{ id: string }> }>(
            'GET',
            `/users?employeeId=${encodeURIComponent(employeeId)}&deleted=false`,
          );
          return r.body.items[0]?.id;
        },
        10_000,
        `the directory user ${employeeId}`,
      ),
    async createApp(body) {
      const r = await api<{ id: string }>('POST', '/outbound/apps', body);
      if (r.status !== 201) throw new Error(`creating the app failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id;
    },
    settle: (appId, timeoutMs = 30_000) =>
      eventually(
        async () => {
          const s = await status(appId);
          const due = s.pending - s.escrowed;
          return due === 0 && s.lastCycle?.status !== 'running' ? s : undefined;
        },
        timeoutMs,
        'the exporter to settle',
      ),
  };
}

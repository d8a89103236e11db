import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import type { Extension, Workflow, WorkflowRun } from '../../workflows/index.ts';

/** The workflow admin API at its edges: authentication, unknown ids, invalid input, paging. */
let t: TestApp;
let admin: string;
let workflow: Workflow;
let ext: Extension;
let userId: string;
let runIds: string[];

const MISSING = '0190a7e4-0000-7000-8000-00000000dead';

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: Array<{ field: string }>; in?: string } };
}

async function api<T = ErrorBody>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) {
  const res = await t.call(method, `/api/v1${path}`, { token: admin, body, ...(headers ? { headers } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}
const fields = (body: ErrorBody) => (body.error.details.issues ?? []).map((i) => i.field);

const definition = {
  name: 'API workflow',
  category: 'joiner',
  trigger: { type: 'onDemand' },
  tasks: [{ task: 'enableUserAccount' }],
};

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.token(['admin']);
  await t.app.jobs.start({ work: false });
  workflow = (await api<Workflow>('POST', '/workflows', definition)).body;
  ext = (
    await api<Extension>('POST', '/workflows/extensions', {
      name: 'API extension',
      endpoint: 'https://hooks.example.com/joinery',
      secret: 'api-extension-secret-0123456789',
    })
  ).body;
  userId = (await api<{ id: string }>('POST', '/users', { userName: 'api.person@example.com' })).body.id;
  runIds = [];
  for (let i = 0; i < 3; i++)
    runIds.push(
      ...(
        await api<{ runIds: string[] }>('POST', `/workflows/${workflow.id}/activate`, { userIds: [userId] })
      ).body.runIds,
    );
  await t.app.workflows.executeDue();
});
afterAll(async () => {
  await t?.close();
});

/** Everything a bad request could have touched. */
async function snapshot() {
  const db = t.app.database.db;
  return {
    workflows: (await api<{ items: Workflow[] }>('GET', '/workflows')).body.items,
    versions: (await api<{ items: unknown[] }>('GET', `/workflows/${workflow.id}/versions`)).body.items,
    runs: (await api<{ items: WorkflowRun[] }>('GET', '/workflows/runs')).body.items,
    extensions: (await api<{ items: Extension[] }>('GET', '/workflows/extensions')).body.items,
    audit: Number(
      (
        await db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    signIns: Number(
      (
        await db
          .selectFrom('user_sign_ins')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  };
}

describe('authentication', () => {
  const routes = (): Array<[string, string, unknown?]> => [
    ['GET', '/workflows'],
    ['POST', '/workflows', definition],
    ['GET', `/workflows/${workflow.id}`],
    ['PUT', `/workflows/${workflow.id}`, definition],
    ['PATCH', `/workflows/${workflow.id}`, { enabled: false }],
    ['DELETE', `/workflows/${workflow.id}`],
    ['GET', `/workflows/${workflow.id}/versions`],
    ['GET', `/workflows/${workflow.id}/runs`],
    ['POST', `/workflows/${workflow.id}/activate`, { userIds: [userId] }],
    ['GET', '/workflows/templates'],
    ['GET', '/workflows/tasks'],
    ['GET', '/workflows/runs'],
    ['GET', `/workflows/runs/${runIds[0]}`],
    ['POST', `/workflows/runs/${runIds[0]}/retry`],
    ['POST', `/workflows/runs/${runIds[0]}/cancel`],
    ['GET', '/workflows/extensions'],
    ['POST', '/workflows/extensions', { name: 'x', endpoint: 'https://x.example', secret: 'x'.repeat(20) }],
    ['GET', `/workflows/extensions/${ext.id}`],
    [
      'PUT',
      `/workflows/extensions/${ext.id}`,
      { name: 'x', endpoint: 'https://x.example', secret: '********' },
    ],
    ['POST', '/workflows/signIns', { signIns: [{ userId, at: '2026-01-01T00:00:00Z' }] }],
  ];

  it('every admin route needs a token (401) with the admin scope (403), and does nothing without', async () => {
    const before = await snapshot();
    const reader = await t.token(['directory.read', 'directory.write']);
    for (const [method, path, body] of routes()) {
      const anonymous = await t.call(method, `/api/v1${path}`, { body });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(((await anonymous.json()) as ErrorBody).error.code).toBe('auth.unauthenticated');
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const forbidden = await t.call(method, `/api/v1${path}`, { token: reader, body });
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect(((await forbidden.json()) as ErrorBody).error.code).toBe('auth.forbidden');
    }
    const after = await snapshot();
    expect(after).toEqual({ ...before, audit: after.audit });
    // Tokens made for the test are audited; nothing else is.
    const db = t.app.database.db;
    const actions = await db
      .selectFrom('audit_log')
      .select('action')
      .orderBy('id', 'desc')
      .limit(after.audit - before.audit)
      .execute();
    expect(actions.every((a) => a.action.startsWith('token.'))).toBe(true);
  });

  it('the callback route takes no token: an unknown URL is a 404', async () => {
    const r = await t.call('POST', '/api/v1/workflows/callbacks/not-a-real-token', {
      body: { status: 'completed' },
    });
    expect(r.status).toBe(404);
    expect(((await r.json()) as ErrorBody).error.code).toBe('workflows.callback_invalid');
  });
});

describe('unknown ids', () => {
  it.each([
    ['GET', `/workflows/${MISSING}`, undefined, 'workflows.workflow_not_found'],
    ['PUT', `/workflows/${MISSING}`, definition, 'workflows.workflow_not_found'],
    ['PATCH', `/workflows/${MISSING}`, { enabled: true }, 'workflows.workflow_not_found'],
    ['DELETE', `/workflows/${MISSING}`, undefined, 'workflows.workflow_not_found'],
    ['GET', `/workflows/${MISSING}/versions`, undefined, 'workflows.workflow_not_found'],
    ['GET', `/workflows/${MISSING}/runs`, undefined, 'workflows.workflow_not_found'],
    ['POST', `/workflows/${MISSING}/activate`, { userIds: [MISSING] }, 'workflows.workflow_not_found'],
    ['GET', `/workflows/runs/${MISSING}`, undefined, 'workflows.run_not_found'],
    ['POST', `/workflows/runs/${MISSING}/retry`, undefined, 'workflows.run_not_found'],
    ['POST', `/workflows/runs/${MISSING}/cancel`, undefined, 'workflows.run_not_found'],
    ['GET', `/workflows/extensions/${MISSING}`, undefined, 'workflows.extension_not_found'],
    [
      'PUT',
      `/workflows/extensions/${MISSING}`,
      { name: 'x', endpoint: 'https://x.example', secret: 'x'.repeat(20) },
      'workflows.extension_not_found',
    ],
  ])('%s %s is a 404 %s', async (method, path, body, code) => {
    const r = await api(method, path, body);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe(code);
  });

  it('an unknown person to activate for is a 404 naming them', async () => {
    const r = await api('POST', `/workflows/${workflow.id}/activate`, { subjects: [{ id: MISSING }] });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'directory.user_not_found', details: { id: MISSING } });
  });

  it.each([
    ['GET', '/workflows/nope'],
    ['PATCH', '/workflows/nope'],
    ['GET', '/workflows/runs/42'],
    ['POST', '/workflows/runs/42/retry'],
    ['GET', '/workflows/extensions/abc'],
  ])('%s %s: an id that is not one is a 400 naming it', async (method, path) => {
    const r = await api(method, path, method === 'PATCH' ? { enabled: true } : undefined);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('request.invalid');
    expect(fields(r.body)).toEqual(['id']);
  });
});

describe('invalid input', () => {
  const cases = (): Array<[string, string, string, unknown, string[]]> => [
    ['PATCH without enabled', 'PATCH', `/workflows/${workflow.id}`, {}, ['enabled']],
    ['PATCH enabled: "yes"', 'PATCH', `/workflows/${workflow.id}`, { enabled: 'yes' }, ['enabled']],
    [
      'PATCH with a definition field',
      'PATCH',
      `/workflows/${workflow.id}`,
      { enabled: true, name: 'x' },
      ['name'],
    ],
    ['activate nobody', 'POST', `/workflows/${workflow.id}/activate`, { subjects: [] }, ['body']],
    [
      'activate a subject that is not an id',
      'POST',
      `/workflows/${workflow.id}/activate`,
      { subjects: [{ id: 'bob' }] },
      ['subjects.0.id'],
    ],
    [
      'activate with an unknown field',
      'POST',
      `/workflows/${workflow.id}/activate`,
      { users: [userId] },
      ['users', 'body'],
    ],
    [
      'sign-ins without a time zone',
      'POST',
      '/workflows/signIns',
      { signIns: [{ userId, at: '2026-01-01T00:00:00' }] },
      ['signIns.0.at'],
    ],
    [
      'sign-ins for an id that is not one',
      'POST',
      '/workflows/signIns',
      { signIns: [{ userId: 'me', at: '2026-01-01T00:00:00Z' }] },
      ['signIns.0.userId'],
    ],
    ['no sign-ins', 'POST', '/workflows/signIns', { signIns: [] }, ['signIns']],
    [
      'a sign-in from the future',
      'POST',
      '/workflows/signIns',
      {
        signIns: [
          { userId, at: '2020-01-01T00:00:00Z' },
          { userId, at: new Date(Date.now() + 3_600_000).toISOString() },
        ],
      },
      ['signIns.1.at'],
    ],
    ['a workflow body that is a list', 'POST', '/workflows', [definition], ['body']],
  ];

  it('each bad body is a 400 naming its fields, and changes nothing', async () => {
    const before = await snapshot();
    for (const [what, method, path, body, expected] of cases()) {
      const r = await api(method, path, body);
      expect(r.status, what).toBe(400);
      expect(r.body.error.code, what).toBe('request.invalid');
      expect(fields(r.body), what).toEqual(expected);
    }
    const invalid = await api('PUT', `/workflows/${workflow.id}`, {
      ...definition,
      tasks: [{ task: 'nope' }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('workflows.invalid_workflow');
    const badExtension = await api('PUT', `/workflows/extensions/${ext.id}`, {
      name: ext.name,
      endpoint: 'not a url',
      secret: '********',
    });
    expect(badExtension.status).toBe(400);
    expect(fields(badExtension.body)).toEqual(['endpoint']);
    const notJson = await t.call('POST', '/api/v1/workflows', {
      token: admin,
      body: '{"name": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as ErrorBody).error.code).toBe('request.invalid_json');
    const notJsonAtAll = await t.call('POST', '/api/v1/workflows', {
      token: admin,
      body: 'name=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(notJsonAtAll.status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it('bad queries are a 400 naming the parameter', async () => {
    for (const [path, field] of [
      ['/workflows/runs?status=finished', 'status'],
      ['/workflows/runs?limit=0', 'limit'],
      ['/workflows/runs?userId=bob', 'userId'],
      ['/workflows/runs?colour=blue', 'colour'],
      [`/workflows/${workflow.id}/runs?workflowId=${workflow.id}`, 'workflowId'],
      ['/workflows?category=astronaut', 'category'],
    ] as const) {
      const r = await api('GET', path);
      expect(r.status, path).toBe(400);
      expect(fields(r.body), path).toEqual([field]);
    }
  });

  it('a cursor that is not one is a 400 naming it; a real one pages', async () => {
    for (const path of [
      '/workflows/runs?cursor=garbage',
      `/workflows/${workflow.id}/runs?cursor=${Buffer.from('run:yesterday|x').toString('base64url')}`,
    ]) {
      const r = await api('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe('request.invalid');
      expect(r.body.error.details).toMatchObject({ in: 'query', field: 'cursor' });
    }
    const first = await api<{ items: WorkflowRun[]; nextCursor: string }>(
      'GET',
      `/workflows/${workflow.id}/runs?limit=2`,
    );
    expect(first.body.items).toHaveLength(2);
    const rest = await api<{ items: WorkflowRun[]; nextCursor: string | null }>(
      'GET',
      `/workflows/${workflow.id}/runs?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(rest.body.nextCursor).toBeNull();
    expect([...first.body.items, ...rest.body.items].map((r) => r.id).sort()).toEqual([...runIds].sort());
  });
});

describe('versions and conditions', () => {
  it('GET gives the version as an ETag; a PUT with a stale If-Match is refused and changes nothing', async () => {
    const w = (await api<Workflow>('POST', '/workflows', { ...definition, name: 'Conditional' })).body;
    const got = await api<Workflow>('GET', `/workflows/${w.id}`);
    expect(got.headers.get('etag')).toBe('W/"1"');
    const put = await api<Workflow>(
      'PUT',
      `/workflows/${w.id}`,
      { ...definition, name: 'Conditional' },
      { 'If-Match': 'W/"1"' },
    );
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('W/"2"');
    const stale = await api(
      'PUT',
      `/workflows/${w.id}`,
      { ...definition, name: 'Conditional', description: 'late' },
      { 'If-Match': 'W/"1"' },
    );
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'workflows.version_mismatch', details: { version: 2 } });
    const garbage = await api(
      'PUT',
      `/workflows/${w.id}`,
      { ...definition, name: 'Conditional' },
      { 'If-Match': 'yesterday' },
    );
    expect(garbage.status).toBe(400);
    expect((await api<Workflow>('GET', `/workflows/${w.id}`)).body).toMatchObject({
      version: 2,
      description: '',
    });
  });

  it('retrying a run that did not fail, or cancelling a finished one, is a 409', async () => {
    const retry = await api('POST', `/workflows/runs/${runIds[0]}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.error).toMatchObject({
      code: 'workflows.run_not_retryable',
      details: { status: 'completed' },
    });
    const cancel = await api('POST', `/workflows/runs/${runIds[0]}/cancel`);
    expect(cancel.status).toBe(409);
    expect((await api<WorkflowRun>('GET', `/workflows/runs/${runIds[0]}`)).body.status).toBe('completed');
  });
});

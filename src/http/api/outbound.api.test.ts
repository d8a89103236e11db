import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { systemContext } from '../../core/index.ts';

let t: TestApp;
let admin: string;

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

beforeAll(async () => {
  t = await createTestApp();
  // The queue, without workers: these tests check answers, not exports.
  await t.app.jobs.start({ work: false });
  admin = await t.token(['admin']);
});
afterAll(async () => {
  await t.close();
});

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  token = admin,
) {
  const res = await t.call(method, `/api/v1${path}`, { token, body });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

const scimApp = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  connector: {
    type: 'scim',
    config: { baseUrl: 'https://app.example.com/scim/v2', auth: { type: 'bearer', token: 'secret-token-1' } },
  },
  ...extra,
});

async function appCount(): Promise<number> {
  const r = await call<{ items: unknown[] }>('GET', '/outbound/apps');
  return r.body.items.length;
}

describe('applications API: definitions and credentials', () => {
  it('creates an app with the connector defaults and never shows the credential', async () => {
    const r = await call<{
      id: string;
      definition: Record<string, unknown> & { connector: { config: { auth: { token: string } } } };
    }>('POST', '/outbound/apps', scimApp('Redacted'));
    expect(r.status).toBe(201);
    expect(r.body.definition.connector.config.auth.token).toBe('********');
    expect(r.body.definition).toMatchObject({
      scope: 'assigned',
      deprovisionAction: 'disable',
      enabled: true,
    });
    const stored = await t.app.database.db
      .selectFrom('outbound_apps')
      .select('config')
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.config)).not.toContain('secret-token-1');
    expect(JSON.stringify(stored.config)).toContain('jny-enc:v1:');
    const audit = await call<{ items: Array<{ changes: unknown }> }>('GET', `/audit?targetId=${r.body.id}`);
    expect(JSON.stringify(audit.body)).not.toContain('secret-token-1');
  });

  it('keeps the stored credential when the redaction marker is sent back', async () => {
    const created = await call<{ id: string; definition: Record<string, unknown> }>(
      'POST',
      '/outbound/apps',
      scimApp('Keep secret'),
    );
    const updated = await call<{ version: number; definition: { rateLimit: { concurrency: number } } }>(
      'PUT',
      `/outbound/apps/${created.body.id}`,
      { ...created.body.definition, rateLimit: { requestsPerSecond: 5, concurrency: 2 } },
    );
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    const stored = await t.app.database.db
      .selectFrom('outbound_apps')
      .select('config')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.config)).toContain('jny-enc:v1:');
    expect(JSON.stringify(stored.config)).not.toContain('********');
  });

  it.each([
    [
      'an unknown connector type',
      { ...scimApp('X'), connector: { type: 'salesforce', config: {} } },
      'connector.type',
    ],
    [
      'a connector config that is not valid',
      {
        ...scimApp('X'),
        connector: { type: 'scim', config: { baseUrl: 'not a url', auth: { type: 'bearer', token: 't' } } },
      },
      'connector.config.baseUrl',
    ],
    [
      'an expression that does not parse (with line and column)',
      scimApp('X', {
        userMappings: [{ target: 'userName', type: 'expression', expression: 'Join(",", [a]' }],
      }),
      'line 1',
    ],
    ['an unknown field', scimApp('X', { colour: 'blue' }), 'colour'],
    [
      'a matching target that is not mapped',
      scimApp('X', {
        userMatching: { target: 'externalId', source: 'id' },
        userMappings: [{ target: 'userName', type: 'direct', source: 'userName' }],
      }),
      'userMatching.target',
    ],
    [
      'a bad scoping operator',
      scimApp('X', {
        scoping: [{ clauses: [{ attribute: 'department', operator: 'LOOKS_LIKE', value: 'x' }] }],
      }),
      'scoping',
    ],
    [
      'a rate limit out of range',
      scimApp('X', { rateLimit: { requestsPerSecond: -1, concurrency: 0 } }),
      'rateLimit',
    ],
  ])('refuses %s with a specific message and stores nothing', async (_what, body, mention) => {
    const before = await appCount();
    const r = await call<ErrorBody>('POST', '/outbound/apps', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('outbound.invalid_app');
    expect(r.body.error.message).toContain(mention);
    expect(await appCount()).toBe(before);
  });

  it('refuses a second app with the same name (any letter case)', async () => {
    await call('POST', '/outbound/apps', scimApp('Unique Name'));
    const r = await call<ErrorBody>('POST', '/outbound/apps', scimApp('unique name'));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('outbound.app_exists');
  });

  it('answers 404 for unknown apps and 400 for ids that are not UUIDs', async () => {
    const unknown = await call<ErrorBody>('GET', '/outbound/apps/01890000-0000-7000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('outbound.app_not_found');
    const bad = await call<ErrorBody>('GET', '/outbound/apps/not-a-uuid');
    expect(bad.status).toBe(400);
  });

  it('needs the admin scope', async () => {
    const reader = await t.token(['directory.read']);
    const r = await call<ErrorBody>('GET', '/outbound/apps', undefined, reader);
    expect(r.status).toBe(403);
  });

  it('deletes an app, audited', async () => {
    const created = await call<{ id: string }>('POST', '/outbound/apps', scimApp('Short lived'));
    expect((await call('DELETE', `/outbound/apps/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/outbound/apps/${created.body.id}`)).status).toBe(404);
    const audit = await call<{ items: Array<{ action: string }> }>(
      'GET',
      `/audit?targetId=${created.body.id}`,
    );
    expect(audit.body.items.map((i) => i.action)).toEqual(
      expect.arrayContaining(['outbound.app.create', 'outbound.app.delete']),
    );
  });
});

describe('applications API: assignments, cycles and plans', () => {
  it('assigns users and groups with an app role, and refuses unknown principals', async () => {
    const app = await call<{ id: string }>('POST', '/outbound/apps', scimApp('Assigned', { enabled: false }));
    const user = await t.app.directory.createUser(systemContext('test'), {
      userName: 'assignee@example.com',
    });
    if (!user.ok) throw new Error(user.error.message);
    const r = await call<{ appRole: string }>('POST', `/outbound/apps/${app.body.id}/assignments`, {
      principalType: 'user',
      principalId: user.value.id,
      appRole: 'Admin',
    });
    expect(r.status).toBe(201);
    expect(r.body.appRole).toBe('Admin');
    const missing = await call<ErrorBody>('POST', `/outbound/apps/${app.body.id}/assignments`, {
      principalType: 'group',
      principalId: user.value.id,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('outbound.principal_not_found');
    const invalid = await call<ErrorBody>('POST', `/outbound/apps/${app.body.id}/assignments`, {
      principalType: 'robot',
    });
    expect(invalid.status).toBe(400);
    const list = await call<{ items: unknown[] }>('GET', `/outbound/apps/${app.body.id}/assignments`);
    expect(list.body.items).toHaveLength(1);
    const gone = await call<ErrorBody>(
      'DELETE',
      `/outbound/apps/${app.body.id}/assignments/01890000-0000-7000-8000-000000000000`,
    );
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('outbound.assignment_not_found');
  });

  it('refuses to start a paused app, and to apply what is not a plan', async () => {
    const app = await call<{ id: string }>('POST', '/outbound/apps', scimApp('Paused', { enabled: false }));
    const r = await call<ErrorBody>('POST', `/outbound/apps/${app.body.id}/start`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('outbound.app_disabled');
    const reconcile = await call<{ cycle: { id: string } }>(
      'POST',
      `/outbound/apps/${app.body.id}/reconcile`,
    );
    expect(reconcile.status).toBe(202);
    const apply = await call<ErrorBody>('POST', `/outbound/plans/${reconcile.body.cycle.id}/apply`);
    expect(apply.status).toBe(409);
    expect(apply.body.error.code).toBe('outbound.not_a_plan');
    const none = await call<ErrorBody>('GET', '/outbound/cycles/01890000-0000-7000-8000-000000000000');
    expect(none.body.error.code).toBe('outbound.cycle_not_found');
    for (const action of ['reconcile', 'plan', 'start']) {
      const unknown = await call<ErrorBody>(
        'POST',
        `/outbound/apps/01890000-0000-7000-8000-000000000000/${action}`,
      );
      expect({ action, status: unknown.status, code: unknown.body.error.code }).toEqual({
        action,
        status: 404,
        code: 'outbound.app_not_found',
      });
    }
  });

  it('lists the connector types', async () => {
    const r = await call<{ items: Array<{ type: string }> }>('GET', '/outbound/connectors');
    expect(r.body.items.map((i) => i.type).sort()).toEqual(['ad', 'ldap', 'scim']);
  });
});

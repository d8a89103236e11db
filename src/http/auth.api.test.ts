import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe('API token authentication and scopes', () => {
  it('answers 401 without a token, with a malformed header and with an unknown token', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { Authorization: 'Basic Zm9vOmJhcg==' },
      { Authorization: 'Bearer jny_notarealtoken' },
    ];
    for (const headers of variants) {
      const res = await t.call('GET', '/api/v1/users', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(((await res.json()) as ErrorBody).error.code).toBe('auth.unauthenticated');
    }
  });

  it('answers 403 naming the missing scope', async () => {
    const reader = await t.token(['directory.read']);
    expect((await t.call('GET', '/api/v1/users', { token: reader })).status).toBe(200);
    const write = await t.call('POST', '/api/v1/users', {
      token: reader,
      body: { userName: 'no@example.com' },
    });
    expect(write.status).toBe(403);
    const body = (await write.json()) as ErrorBody;
    expect(body.error.code).toBe('auth.forbidden');
    expect(body.error.details.required).toBe('directory.write');
    expect((await t.call('GET', '/api/v1/audit', { token: reader })).status).toBe(403);
    const scim = await t.token(['scim']);
    expect((await t.call('GET', '/api/v1/users', { token: scim })).status).toBe(403);
  });

  it('creates tokens shown once, lists them without secrets, records last use and revokes', async () => {
    const admin = await t.token(['admin']);
    const created = await t.call('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'hr-sync', scopes: ['inbound.upload', 'directory.read'] },
    });
    expect(created.status).toBe(201);
    const { token, info } = (await created.json()) as {
      token: string;
      info: { id: string; lastUsedAt: string | null };
    };
    expect(token).toMatch(/^jny_[A-Za-z0-9_-]{43}$/);
    expect(info.lastUsedAt).toBeNull();
    expect((await t.call('GET', '/api/v1/users', { token })).status).toBe(200);
    const list = await t.call('GET', '/api/v1/tokens', { token: admin });
    const text = await list.text();
    expect(text).not.toContain(token);
    const listed = (
      JSON.parse(text) as { items: Array<{ id: string; lastUsedAt: string | null; scopes: string[] }> }
    ).items;
    const mine = listed.find((i) => i.id === info.id);
    expect(mine?.scopes).toEqual(['inbound.upload', 'directory.read']);
    expect(mine?.lastUsedAt).not.toBeNull();
    const stored = await t.app.database.db
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', info.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await t.call('DELETE', `/api/v1/tokens/${info.id}`, { token: admin })).status).toBe(200);
    expect((await t.call('GET', '/api/v1/users', { token })).status).toBe(401);
    expect((await t.call('DELETE', `/api/v1/tokens/${info.id}`, { token: admin })).status).toBe(404);
  });

  it('rejects an unknown scope when creating a token', async () => {
    const admin = await t.token(['admin']);
    const res = await t.call('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'x', scopes: ['root'] },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toContain('scopes.0');
  });
});

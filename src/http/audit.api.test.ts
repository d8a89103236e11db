import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface AuditItem {
  action: string;
  actor: { type: string; id: string | null; name: string | null };
  targetId: string | null;
  correlationId: string | null;
  changes: Array<{ attribute: string; before: unknown; after: unknown }>;
}

describe('audit log over the API', () => {
  it('records who changed what, before and after, with the caller correlation id', async () => {
    const writer = await t.token(['directory.write'], 'hr-connector');
    const auditor = await t.token(['audit.read']);
    const created = await t.call('POST', '/api/v1/users', {
      token: writer,
      body: { userName: 'audited@example.com', department: 'Legal' },
      headers: { 'X-Correlation-Id': 'batch-2026-11-27' },
    });
    const { id } = (await created.json()) as { id: string };
    await t.call('PATCH', `/api/v1/users/${id}`, {
      token: writer,
      body: { department: 'Compliance', accountEnabled: false },
    });
    const res = await t.call('GET', `/api/v1/audit?targetId=${id}`, { token: auditor });
    expect(res.status).toBe(200);
    const items = ((await res.json()) as { items: AuditItem[] }).items;
    expect(items.map((i) => i.action)).toEqual(['user.update', 'user.create']);
    const [update, create] = items;
    expect(create?.correlationId).toBe('batch-2026-11-27');
    expect(create?.actor).toMatchObject({ type: 'token', name: 'hr-connector' });
    expect(update?.changes).toEqual([
      { attribute: 'department', before: 'Legal', after: 'Compliance' },
      { attribute: 'accountEnabled', before: true, after: false },
    ]);
    const byAction = await t.call('GET', `/api/v1/audit?action=user.update&actorId=${create?.actor.id}`, {
      token: auditor,
    });
    expect(((await byAction.json()) as { items: AuditItem[] }).items).toHaveLength(1);
  });

  it('rejects an unknown filter and a forged cursor', async () => {
    const auditor = await t.token(['audit.read']);
    expect((await t.call('GET', '/api/v1/audit?who=me', { token: auditor })).status).toBe(400);
    const forged = await t.call('GET', '/api/v1/audit?cursor=Zm9v', { token: auditor });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('audit.invalid_cursor');
  });
});

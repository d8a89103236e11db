import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface Operation {
  security: Array<Record<string, string[]>>;
  requestBody?: {
    content: Record<
      string,
      { schema: { properties?: Record<string, unknown>; additionalProperties?: unknown } }
    >;
  };
  responses: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string }>;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every mounted route with its scope', async () => {
    const admin = await t.token(['directory.read']);
    const res = await t.call('GET', '/api/v1/openapi.json', { token: admin });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(ops).toEqual(
      expect.arrayContaining([
        'GET /api/v1/users',
        'POST /api/v1/users',
        'PATCH /api/v1/users/{id}',
        'DELETE /api/v1/users/{id}',
        'POST /api/v1/users/{id}/restore',
        'GET /api/v1/groups/{id}/members',
        'POST /api/v1/groups/{id}/members',
        'DELETE /api/v1/groups/{id}/members/{memberId}',
        'GET /api/v1/audit',
        'POST /api/v1/tokens',
      ]),
    );
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods)) expect(Object.values(op.security[0] ?? {})[0]?.length).toBe(1);
    }
    const create = doc.paths['/api/v1/users']?.post;
    const schema = create?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(schema?.properties ?? {})).toEqual(
      expect.arrayContaining(['userName', 'emails', 'employeeHireDate', 'extension']),
    );
    expect(schema?.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/users']?.get?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['cursor', 'limit', 'search']),
    );
  });
});

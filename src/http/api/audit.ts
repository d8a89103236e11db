import { z } from 'zod';
import { auditQuerySchema, searchAudit } from '../../audit/index.ts';
import type { Db } from '../../db/index.ts';
import { errorResponse } from '../errors.ts';
import { json, type RouteRegistry } from '../routes.ts';
import { auditRecordSchema } from './schemas.ts';

export function auditRoutes(api: RouteRegistry, db: Db): void {
  api.add({
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Search the audit log, newest first (keyset paging)',
    scope: 'audit.read',
    query: auditQuerySchema.strict(),
    responses: {
      200: {
        description: 'A page of audit records',
        schema: z.object({ items: z.array(auditRecordSchema), nextCursor: z.string().nullable() }),
      },
    },
    handler: async ({ query, c }) => {
      const result = await searchAudit(db, query);
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, { items: result.value.records, nextCursor: result.value.nextCursor });
    },
  });
}

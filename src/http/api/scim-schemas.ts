import { z } from 'zod';
import { extensionSchemaInput } from '../../directory/index.ts';
import { errorResponse } from '../errors.ts';
import { json, type RouteRegistry } from '../routes.ts';
import type { ScimDeps } from '../scim/context.ts';

const urnParams = z.strictObject({ id: z.string().min(1).max(256) });
const definition = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  attributes: z.array(z.object({ name: z.string(), type: z.string() }).passthrough()),
});

/** Admin-declared SCIM extension schemas for users (served at /scim/v2/Schemas once declared). */
export function scimSchemaRoutes(api: RouteRegistry, deps: ScimDeps): void {
  api.add({
    method: 'get',
    path: '/scim-extensions',
    tag: 'scim',
    summary: 'List declared SCIM extension schemas',
    scope: 'admin',
    responses: { 200: { description: 'Declared schemas', schema: z.object({ items: z.array(definition) }) } },
    handler: async ({ c }) => json(c, { items: await deps.directory.extensionSchemas() }),
  });
  api.add({
    method: 'put',
    path: '/scim-extensions',
    tag: 'scim',
    summary:
      'Declare (or redeclare) a SCIM extension schema for users; values are kept as extension attributes',
    scope: 'admin',
    body: extensionSchemaInput,
    responses: { 200: { description: 'Declared', schema: definition } },
    handler: async ({ body, ctx, c }) => {
      const declared = await deps.directory.declareExtensionSchema(ctx, body);
      deps.invalidateSchemas();
      return declared.ok ? json(c, declared.value) : errorResponse(c, declared.error);
    },
  });
  api.add({
    method: 'delete',
    path: '/scim-extensions/:id',
    tag: 'scim',
    summary: 'Remove a declared extension schema (stored values stay)',
    scope: 'admin',
    params: urnParams,
    responses: { 204: { description: 'Removed' } },
    handler: async ({ params, ctx, c }) => {
      const removed = await deps.directory.removeExtensionSchema(ctx, params.id);
      deps.invalidateSchemas();
      return removed.ok ? c.body(null, 204) : errorResponse(c, removed.error);
    },
  });
}

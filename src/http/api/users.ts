import { z } from 'zod';
import type { Directory } from '../../directory/index.ts';
import { userCreateSchema, userPatchSchema } from '../../directory/index.ts';
import { errorResponse } from '../errors.ts';
import { boolQuery, idParams, json, limitQuery, type RouteRegistry } from '../routes.ts';
import { groupSchema, page, userSchema } from './schemas.ts';
import { etagOf, ifMatchVersion } from './versioning.ts';

const listQuery = z.strictObject({
  userName: z.string().optional(),
  externalId: z.string().optional(),
  employeeId: z.string().optional(),
  department: z.string().optional(),
  managerId: z.uuid().optional(),
  accountEnabled: boolQuery.optional(),
  search: z.string().min(1).optional().describe('Case-insensitive prefix of userName or displayName.'),
  deleted: boolQuery.optional().describe('true lists the recycle bin (soft-deleted users).'),
  cursor: z.string().optional(),
  limit: limitQuery,
});

const getQuery = z.strictObject({ includeDeleted: boolQuery.optional() });
const transitiveQuery = z.strictObject({ transitive: boolQuery.optional() });

export function userRoutes(api: RouteRegistry, directory: Directory): void {
  api.add({
    method: 'get',
    path: '/users',
    tag: 'users',
    summary: 'List users (filters, keyset paging)',
    scope: 'directory.read',
    query: listQuery,
    responses: { 200: { description: 'A page of users', schema: page(userSchema) } },
    handler: async ({ query, c }) => {
      const result = await directory.listUsers(query);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/users',
    tag: 'users',
    summary: 'Create a user',
    scope: 'directory.write',
    body: userCreateSchema,
    responses: { 201: { description: 'Created', schema: userSchema } },
    handler: async ({ body, ctx, c }) => {
      const result = await directory.createUser(ctx, body);
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 201, {
        ETag: etagOf(result.value.version),
        Location: `/api/v1/users/${result.value.id}`,
      });
    },
  });
  api.add({
    method: 'get',
    path: '/users/:id',
    tag: 'users',
    summary: 'Get a user',
    scope: 'directory.read',
    params: idParams,
    query: getQuery,
    responses: { 200: { description: 'The user', schema: userSchema } },
    handler: async ({ params, query, c }) => {
      const result = await directory.getUser(params.id, { includeDeleted: query.includeDeleted ?? false });
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 200, { ETag: etagOf(result.value.version) });
    },
  });
  api.add({
    method: 'patch',
    path: '/users/:id',
    tag: 'users',
    summary: 'Change some attributes of a user (null clears; If-Match for optimistic concurrency)',
    scope: 'directory.write',
    params: idParams,
    body: userPatchSchema,
    responses: { 200: { description: 'The updated user', schema: userSchema } },
    handler: async ({ params, body, ctx, c }) => {
      const ifMatch = ifMatchVersion(c);
      if (!ifMatch.ok) return errorResponse(c, ifMatch.error);
      const result = await directory.updateUser(ctx, params.id, body, { ifVersion: ifMatch.version });
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 200, { ETag: etagOf(result.value.version) });
    },
  });
  api.add({
    method: 'delete',
    path: '/users/:id',
    tag: 'users',
    summary: 'Soft-delete a user (restorable during the retention period)',
    scope: 'directory.write',
    params: idParams,
    responses: { 200: { description: 'The deleted user', schema: userSchema } },
    handler: async ({ params, ctx, c }) => {
      const ifMatch = ifMatchVersion(c);
      if (!ifMatch.ok) return errorResponse(c, ifMatch.error);
      const result = await directory.deleteUser(ctx, params.id, { ifVersion: ifMatch.version });
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/users/:id/restore',
    tag: 'users',
    summary: 'Restore a soft-deleted user',
    scope: 'directory.write',
    params: idParams,
    responses: { 200: { description: 'The restored user', schema: userSchema } },
    handler: async ({ params, ctx, c }) => {
      const result = await directory.restoreUser(ctx, params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'get',
    path: '/users/:id/managers',
    tag: 'users',
    summary: "The user's manager chain, nearest first",
    scope: 'directory.read',
    params: idParams,
    responses: { 200: { description: 'Managers', schema: z.object({ items: z.array(userSchema) }) } },
    handler: async ({ params, c }) => {
      const user = await directory.getUser(params.id);
      if (!user.ok) return errorResponse(c, user.error);
      return json(c, { items: await directory.managerChain(params.id) });
    },
  });
  api.add({
    method: 'get',
    path: '/users/:id/directReports',
    tag: 'users',
    summary: "The user's direct reports",
    scope: 'directory.read',
    params: idParams,
    responses: { 200: { description: 'Direct reports', schema: z.object({ items: z.array(userSchema) }) } },
    handler: async ({ params, c }) => {
      const user = await directory.getUser(params.id);
      if (!user.ok) return errorResponse(c, user.error);
      return json(c, { items: await directory.directReports(params.id) });
    },
  });
  api.add({
    method: 'get',
    path: '/users/:id/memberOf',
    tag: 'users',
    summary: 'Groups the user belongs to (transitive=true follows nesting)',
    scope: 'directory.read',
    params: idParams,
    query: transitiveQuery,
    responses: {
      200: {
        description: 'Groups',
        schema: z.object({
          items: z.array(groupSchema.pick({ id: true, displayName: true }).extend({ direct: z.boolean() })),
        }),
      },
    },
    handler: async ({ params, query, c }) => {
      const user = await directory.getUser(params.id);
      if (!user.ok) return errorResponse(c, user.error);
      return json(c, {
        items: await directory.memberOf(params.id, { transitive: query.transitive ?? false }),
      });
    },
  });
}

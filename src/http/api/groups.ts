import { z } from 'zod';
import type { Directory } from '../../directory/index.ts';
import { groupCreateSchema, groupPatchSchema, memberRefSchema } from '../../directory/index.ts';
import { errorResponse } from '../errors.ts';
import { boolQuery, idParams, json, limitQuery, type RouteRegistry } from '../routes.ts';
import { groupSchema, memberSchema, page } from './schemas.ts';
import { etagOf, ifMatchVersion } from './versioning.ts';

const listQuery = z.strictObject({
  displayName: z.string().optional(),
  externalId: z.string().optional(),
  deleted: boolQuery.optional(),
  cursor: z.string().optional(),
  limit: limitQuery,
});
const membersQuery = z.strictObject({
  transitive: boolQuery.optional(),
  cursor: z.string().optional(),
  limit: limitQuery,
});
const addMembersBody = z.strictObject({ members: z.array(memberRefSchema).min(1).max(1000) });
const memberParams = z.object({
  id: z.uuid('must be an id (UUID)'),
  memberId: z.uuid('must be an id (UUID)'),
});
const ownerParams = z.object({ id: z.uuid('must be an id (UUID)'), userId: z.uuid('must be an id (UUID)') });
const ownerBody = z.strictObject({ userId: z.uuid('must be a user id') });
const ownerSchema = z.object({ id: z.uuid(), userName: z.string(), displayName: z.string().nullable() });

export function groupRoutes(api: RouteRegistry, directory: Directory): void {
  api.add({
    method: 'get',
    path: '/groups',
    tag: 'groups',
    summary: 'List groups',
    scope: 'directory.read',
    query: listQuery,
    responses: { 200: { description: 'A page of groups', schema: page(groupSchema) } },
    handler: async ({ query, c }) => {
      const result = await directory.listGroups(query);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/groups',
    tag: 'groups',
    summary: 'Create a group',
    scope: 'directory.write',
    body: groupCreateSchema,
    responses: { 201: { description: 'Created', schema: groupSchema } },
    handler: async ({ body, ctx, c }) => {
      const result = await directory.createGroup(ctx, body);
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 201, {
        ETag: etagOf(result.value.version),
        Location: `/api/v1/groups/${result.value.id}`,
      });
    },
  });
  api.add({
    method: 'get',
    path: '/groups/:id',
    tag: 'groups',
    summary: 'Get a group',
    scope: 'directory.read',
    params: idParams,
    responses: { 200: { description: 'The group', schema: groupSchema } },
    handler: async ({ params, c }) => {
      const result = await directory.getGroup(params.id);
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 200, { ETag: etagOf(result.value.version) });
    },
  });
  api.add({
    method: 'patch',
    path: '/groups/:id',
    tag: 'groups',
    summary: 'Change a group',
    scope: 'directory.write',
    params: idParams,
    body: groupPatchSchema,
    responses: { 200: { description: 'The updated group', schema: groupSchema } },
    handler: async ({ params, body, ctx, c }) => {
      const ifMatch = ifMatchVersion(c);
      if (!ifMatch.ok) return errorResponse(c, ifMatch.error);
      const result = await directory.updateGroup(ctx, params.id, body, { ifVersion: ifMatch.version });
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 200, { ETag: etagOf(result.value.version) });
    },
  });
  api.add({
    method: 'delete',
    path: '/groups/:id',
    tag: 'groups',
    summary: 'Soft-delete a group',
    scope: 'directory.write',
    params: idParams,
    responses: { 200: { description: 'The deleted group', schema: groupSchema } },
    handler: async ({ params, ctx, c }) => {
      const result = await directory.deleteGroup(ctx, params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/groups/:id/restore',
    tag: 'groups',
    summary: 'Restore a soft-deleted group',
    scope: 'directory.write',
    params: idParams,
    responses: { 200: { description: 'The restored group', schema: groupSchema } },
    handler: async ({ params, ctx, c }) => {
      const result = await directory.restoreGroup(ctx, params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'get',
    path: '/groups/:id/members',
    tag: 'memberships',
    summary: 'Members of a group; transitive=true includes members of nested groups',
    scope: 'directory.read',
    params: idParams,
    query: membersQuery,
    responses: { 200: { description: 'A page of members', schema: page(memberSchema) } },
    handler: async ({ params, query, c }) => {
      const result = await directory.listMembers(params.id, query);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/groups/:id/members',
    tag: 'memberships',
    summary: 'Add direct members (users or groups); members already present are ignored',
    scope: 'directory.write',
    params: idParams,
    body: addMembersBody,
    responses: {
      200: {
        description: 'The members actually added',
        schema: z.object({ added: z.array(memberRefSchema) }),
      },
    },
    handler: async ({ params, body, ctx, c }) => {
      const result = await directory.addMembers(ctx, params.id, body.members);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'delete',
    path: '/groups/:id/members/:memberId',
    tag: 'memberships',
    summary: 'Remove a direct member',
    scope: 'directory.write',
    params: memberParams,
    responses: { 200: { description: 'Removed', schema: z.object({ removed: z.boolean() }) } },
    handler: async ({ params, ctx, c }) => {
      const result = await directory.removeMember(ctx, params.id, params.memberId);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'get',
    path: '/groups/:id/owners',
    tag: 'groups',
    summary: 'Owners of a group',
    scope: 'directory.read',
    params: idParams,
    responses: { 200: { description: 'Owners', schema: z.object({ items: z.array(ownerSchema) }) } },
    handler: async ({ params, c }) => {
      const result = await directory.listOwners(params.id);
      return result.ok ? json(c, { items: result.value }) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/groups/:id/owners',
    tag: 'groups',
    summary: 'Add an owner',
    scope: 'directory.write',
    params: idParams,
    body: ownerBody,
    responses: {
      200: { description: 'Whether the owner was added', schema: z.object({ added: z.boolean() }) },
    },
    handler: async ({ params, body, ctx, c }) => {
      const result = await directory.addOwner(ctx, params.id, body.userId);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'delete',
    path: '/groups/:id/owners/:userId',
    tag: 'groups',
    summary: 'Remove an owner',
    scope: 'directory.write',
    params: ownerParams,
    responses: { 200: { description: 'Removed', schema: z.object({ removed: z.boolean() }) } },
    handler: async ({ params, ctx, c }) => {
      const result = await directory.removeOwner(ctx, params.id, params.userId);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
}

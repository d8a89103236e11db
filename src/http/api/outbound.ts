import { z } from 'zod';
import type { Outbound } from '../../outbound/index.ts';
import { errorResponse } from '../errors.ts';
import { json, limitQuery, type RouteRegistry } from '../routes.ts';

const appParams = z.object({ id: z.uuid('must be an application id (UUID)') });
const cycleParams = z.object({ id: z.uuid('must be a cycle id (UUID)') });
const assignmentParams = z.object({
  id: z.uuid('must be an application id (UUID)'),
  principalId: z.uuid('must be a user or group id (UUID)'),
});
const definitionBody = z.looseObject({});
const onDemandBody = z.strictObject({
  objectType: z.enum(['user', 'group']).default('user'),
  objectId: z.string().min(1).max(100),
});
const planQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
const logQuery = z.strictObject({
  appId: z.uuid().optional(),
  cycleId: z.uuid().optional(),
  objectId: z.uuid().optional(),
  status: z.enum(['success', 'failure', 'skipped']).optional(),
  action: z.enum(['create', 'update', 'link', 'disable', 'delete', 'unchanged', 'skip']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: limitQuery,
  cursor: z.coerce.number().int().optional(),
});

/** The outbound admin API: applications, assignments, cycles, plans, on-demand provisioning, logs. */
export function outboundRoutes(api: RouteRegistry, outbound: Outbound): void {
  const base = { tag: 'outbound', scope: 'admin' } as const;
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/connectors',
    summary: 'Connector types this server knows',
    responses: { 200: { description: 'Connector types' } },
    handler: async ({ c }) => json(c, { items: outbound.connectorTypes() }),
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/apps',
    summary: 'List applications (credentials redacted)',
    responses: { 200: { description: 'The applications' } },
    handler: async ({ c }) => json(c, { items: await outbound.listApps() }),
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps',
    summary:
      'Create an application: { name, connector: { type, config }, scope, provisionGroups, scoping, userMappings, groupMappings, userMatching, deprovisionAction, skipOutOfScopeDeletions, deletionThreshold, rateLimit, enabled, reconcileSchedule }',
    body: definitionBody,
    responses: { 201: { description: 'Created' } },
    handler: async ({ body, ctx, c }) => {
      const result = await outbound.createApp(ctx, body);
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 201, { Location: `/api/v1/outbound/apps/${result.value.id}` });
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/apps/:id',
    summary: 'Get an application (credentials redacted)',
    params: appParams,
    responses: { 200: { description: 'The application' } },
    handler: async ({ params, c }) => {
      const result = await outbound.getApp(params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'put',
    path: '/outbound/apps/:id',
    summary: 'Replace an application definition (a redacted credential sent back keeps the stored one)',
    params: appParams,
    body: definitionBody,
    responses: { 200: { description: 'The updated application' } },
    handler: async ({ params, body, ctx, c }) => {
      const result = await outbound.updateApp(ctx, params.id, body);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'delete',
    path: '/outbound/apps/:id',
    summary: 'Delete an application with its links and logs (target accounts are left as they are)',
    params: appParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ params, ctx, c }) => {
      const result = await outbound.deleteApp(ctx, params.id);
      return result.ok ? c.body(null, 204) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/apps/:id/assignments',
    summary: 'Users and groups assigned to the application',
    params: appParams,
    responses: { 200: { description: 'Assignments' } },
    handler: async ({ params, c }) => {
      const result = await outbound.listAssignments(params.id);
      return result.ok ? json(c, { items: result.value }) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps/:id/assignments',
    summary: 'Assign a user or a group: { principalType, principalId, appRole? } (again: change the role)',
    params: appParams,
    body: definitionBody,
    responses: { 201: { description: 'Assigned' } },
    handler: async ({ params, body, ctx, c }) => {
      const result = await outbound.assign(ctx, params.id, body);
      return result.ok ? json(c, result.value, 201) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'delete',
    path: '/outbound/apps/:id/assignments/:principalId',
    summary: 'Remove an assignment (the people it covered leave scope)',
    params: assignmentParams,
    responses: { 204: { description: 'Removed' } },
    handler: async ({ params, ctx, c }) => {
      const result = await outbound.unassign(ctx, params.id, params.principalId);
      return result.ok ? c.body(null, 204) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps/:id/start',
    summary: 'Start a full cycle (the first is the initial cycle); also lifts a quarantine',
    params: appParams,
    responses: { 202: { description: 'The cycle, running' } },
    handler: async ({ params, ctx, c }) => {
      const result = await outbound.startCycle(ctx, params.id);
      return result.ok ? json(c, { cycle: result.value }, 202) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/apps/:id/status',
    summary:
      'State (idle, running, quarantined, held, paused), pending and escrowed objects, links, last cycle',
    params: appParams,
    responses: { 200: { description: 'Status' } },
    handler: async ({ params, c }) => {
      const result = await outbound.status(params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/apps/:id/cycles',
    summary: 'Recent cycles of the application, newest first',
    params: appParams,
    responses: { 200: { description: 'Cycles' } },
    handler: async ({ params, c }) => json(c, { items: await outbound.listCycles(params.id) }),
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps/:id/approveDeletions',
    summary: 'Release deprovisions held by the deletion threshold',
    params: appParams,
    responses: { 204: { description: 'Released' } },
    handler: async ({ params, c }) => {
      const result = await outbound.approveDeletions(params.id);
      return result.ok ? c.body(null, 204) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps/:id/provisionOnDemand',
    summary: 'Provision one user or group now and answer with the step trace',
    params: appParams,
    body: onDemandBody,
    responses: { 200: { description: 'The trace' } },
    handler: async ({ params, body, c }) => {
      const result = await outbound.provisionOnDemand(params.id, body.objectType, body.objectId);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps/:id/plan',
    summary: 'Dry run over the whole population: creates, updates, disables and deletes with diffs',
    params: appParams,
    responses: { 202: { description: 'The plan cycle, being computed' } },
    handler: async ({ params, ctx, c }) => {
      const result = await outbound.startPlan(ctx, params.id);
      return result.ok ? json(c, { cycle: result.value }, 202) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/apps/:id/reconcile',
    summary:
      'Compare the target with what Joinery wrote: repair drift, recreate missing objects, count orphans',
    params: appParams,
    responses: { 202: { description: 'The reconcile cycle, running' } },
    handler: async ({ params, ctx, c }) => {
      const result = await outbound.startReconcile(ctx, params.id);
      return result.ok ? json(c, { cycle: result.value }, 202) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/cycles/:id',
    summary: 'A cycle: kind, status, counts',
    params: cycleParams,
    responses: { 200: { description: 'The cycle' } },
    handler: async ({ params, c }) => {
      const result = await outbound.getCycle(params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/plans/:id',
    summary: "A plan's actions with attribute diffs (paged)",
    params: cycleParams,
    query: planQuery,
    responses: { 200: { description: 'The plan' } },
    handler: async ({ params, query, c }) => {
      const result = await outbound.viewPlan(params.id, query.offset, query.limit);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/outbound/plans/:id/apply',
    summary: 'Apply a plan exactly as computed; refused (409 outbound.plan_stale) if anything changed since',
    params: cycleParams,
    responses: { 202: { description: 'Applying' } },
    handler: async ({ params, ctx, c }) => {
      const result = await outbound.applyPlan(ctx, params.id);
      return result.ok ? json(c, { cycle: result.value }, 202) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/outbound/logs',
    summary: 'Per-object provisioning log (Graph provisioningObjectSummary shape), newest first',
    query: logQuery,
    responses: { 200: { description: 'Log entries' } },
    handler: async ({ query, c }) => {
      const { cursor, ...rest } = query;
      const page = await outbound.logs({ ...rest, ...(cursor !== undefined ? { before: cursor } : {}) });
      return json(c, page);
    },
  });
}

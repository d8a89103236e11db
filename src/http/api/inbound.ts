import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Scope } from '../../auth/index.ts';
import type { Inbound } from '../../inbound/index.ts';
import type { HttpEnv } from '../env.ts';
import { errorResponse } from '../errors.ts';
import { json, limitQuery, type RouteRegistry } from '../routes.ts';
import { accepted, dryRunOf, handleBulkUpload, handleCsv } from './inbound-intake.ts';

const sourceParams = z.object({ id: z.string().min(1).max(63) });
const runParams = z.object({ id: z.uuid('must be a run id (UUID)') });
const createBody = z.looseObject({ id: z.string().min(1).max(63) });
const configBody = z.looseObject({});
const runQuery = z.strictObject({
  sourceId: z.string().optional(),
  status: z.string().optional(),
  limit: limitQuery,
  before: z.coerce.number().int().optional(),
});
const runGetQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
const statusEnum = z.enum([
  'created',
  'updated',
  'unchanged',
  'disabled',
  'enabled',
  'skipped',
  'failed',
  'planned',
  'rejected',
]);
const logQuery = z.strictObject({
  sourceId: z.string().optional(),
  runId: z.uuid().optional(),
  person: z
    .string()
    .min(1)
    .optional()
    .describe("The person's source key (e.g. employee id) or the directory user id."),
  status: statusEnum.optional(),
  lifecycle: z.enum(['joiner', 'mover', 'leaver', 'rehire', 'conversion']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: limitQuery,
  cursor: z.coerce.number().int().optional(),
});
const mappingTestBody = z.strictObject({
  sourceId: z.string().optional(),
  config: z.looseObject({}).optional(),
  record: z.record(z.string(), z.unknown()),
  format: z.enum(['scim', 'flat']).optional(),
});

export interface InboundRouteLimits {
  maxPayloadBytes: number;
}

/** The inbound admin API: sources, intake (bulkUpload, CSV, pull), runs, plans, held runs, logs. */
export function inboundRoutes(api: RouteRegistry, inbound: Inbound, limits: InboundRouteLimits): void {
  api.add({
    method: 'get',
    path: '/inbound/sources',
    tag: 'inbound',
    summary: 'List HR sources (credentials redacted)',
    scope: 'admin',
    responses: { 200: { description: 'The sources' } },
    handler: async ({ c }) => json(c, { items: await inbound.listSources() }),
  });
  api.add({
    method: 'post',
    path: '/inbound/sources',
    tag: 'inbound',
    summary:
      'Create an HR source: { id, type, name, matching, mappings, scoping, deletionThreshold, pull, schedule }',
    scope: 'admin',
    body: createBody,
    responses: { 201: { description: 'Created' } },
    handler: async ({ body, ctx, c }) => {
      const { id, ...config } = body;
      const result = await inbound.createSource(ctx, id, config);
      if (!result.ok) return errorResponse(c, result.error);
      return json(c, result.value, 201, { Location: `/api/v1/inbound/sources/${id}` });
    },
  });
  api.add({
    method: 'get',
    path: '/inbound/sources/:id',
    tag: 'inbound',
    summary: 'Get an HR source (credentials redacted)',
    scope: 'admin',
    params: sourceParams,
    responses: { 200: { description: 'The source' } },
    handler: async ({ params, c }) => {
      const result = await inbound.getSource(params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'put',
    path: '/inbound/sources/:id',
    tag: 'inbound',
    summary: 'Replace an HR source definition (a redacted secret sent back keeps the stored one)',
    scope: 'admin',
    params: sourceParams,
    body: configBody,
    responses: { 200: { description: 'The updated source' } },
    handler: async ({ params, body, ctx, c }) => {
      const result = await inbound.updateSource(ctx, params.id, body);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'delete',
    path: '/inbound/sources/:id',
    tag: 'inbound',
    summary: 'Delete an HR source and its runs and logs (directory users stay)',
    scope: 'admin',
    params: sourceParams,
    responses: { 200: { description: 'Deleted' } },
    handler: async ({ params, ctx, c }) => {
      const result = await inbound.deleteSource(ctx, params.id);
      return result.ok ? json(c, { deleted: params.id }) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'post',
    path: '/inbound/sources/:id/bulkUpload',
    tag: 'inbound',
    summary:
      'Entra-compatible bulkUpload: a SCIM BulkRequest of POST /Users operations (at most 50 by default; more is 413). 202 with Location; ?dryRun=true makes a plan',
    scope: 'inbound.upload',
    params: sourceParams,
    responses: { 202: { description: 'Accepted: stored durably, processing' } },
    handler: ({ params, c }) => handleBulkUpload(c, inbound, params.id, limits.maxPayloadBytes),
  });
  api.add({
    method: 'post',
    path: '/inbound/sources/:id/import',
    tag: 'inbound',
    summary:
      'Import a CSV file (text/csv, or multipart with a "file" field) into a csv source; ?dryRun=true makes a plan',
    scope: 'inbound.upload',
    params: sourceParams,
    responses: { 202: { description: 'Accepted: stored durably, processing' } },
    handler: ({ params, c }) => handleCsv(c, inbound, params.id, limits.maxPayloadBytes),
  });
  api.add({
    method: 'post',
    path: '/inbound/sources/:id/pull',
    tag: 'inbound',
    summary:
      'Pull a scim-pull or http-json-pull source now (a delta after its watermark); ?dryRun=true makes a plan',
    scope: 'admin',
    params: sourceParams,
    responses: { 202: { description: 'Accepted: the pulled records are stored and processing' } },
    handler: async ({ params, ctx, c }) =>
      accepted(c, await inbound.pull(ctx, params.id, { dryRun: dryRunOf(c) })),
  });
  api.add({
    method: 'post',
    path: '/inbound/mapping/test',
    tag: 'inbound',
    summary: "What a source's mapping (or a draft config) makes of a sample record; nothing is written",
    scope: 'admin',
    body: mappingTestBody,
    responses: { 200: { description: 'Scoping, mapped values, directory input and errors' } },
    handler: async ({ body, c }) => {
      const result = await inbound.testMapping({
        record: body.record,
        ...(body.sourceId ? { sourceId: body.sourceId } : {}),
        ...(body.config ? { config: body.config } : {}),
        ...(body.format ? { format: body.format } : {}),
      });
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    method: 'get',
    path: '/inbound/runs',
    tag: 'inbound',
    summary: 'Runs (bulkUploads, CSV imports, pulls), newest first',
    scope: 'inbound.upload',
    query: runQuery,
    responses: { 200: { description: 'Runs' } },
    handler: async ({ query, c }) => {
      const items = await inbound.listRuns({
        limit: query.limit,
        ...(query.sourceId ? { sourceId: query.sourceId } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.before !== undefined ? { before: query.before } : {}),
      });
      return json(c, { items });
    },
  });
  api.add({
    method: 'get',
    path: '/inbound/runs/:id',
    tag: 'inbound',
    summary:
      'A run and the result of each operation (created, updated, unchanged, disabled, enabled, skipped, failed)',
    scope: 'inbound.upload',
    params: runParams,
    query: runGetQuery,
    responses: { 200: { description: 'The run' } },
    handler: async ({ params, query, c }) => {
      const result = await inbound.getRun(params.id, query);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  for (const [action, summary] of [
    ['apply', 'Apply a preview exactly as planned; refused with the reasons if the directory changed since'],
    ['approve', 'Let a run held by the deletion threshold proceed'],
    ['reject', 'Reject a run held by the deletion threshold: none of its records is applied'],
  ] as const) {
    api.add({
      method: 'post',
      path: `/inbound/runs/:id/${action}`,
      tag: 'inbound',
      summary,
      scope: 'admin',
      params: runParams,
      responses: { 200: { description: 'The run' } },
      handler: async ({ params, ctx, c }) => {
        const result =
          action === 'apply'
            ? await inbound.applyPlan(ctx, params.id)
            : action === 'approve'
              ? await inbound.approveRun(ctx, params.id)
              : await inbound.rejectRun(ctx, params.id);
        return result.ok ? json(c, result.value) : errorResponse(c, result.error);
      },
    });
  }
  api.add({
    method: 'get',
    path: '/inbound/logs',
    tag: 'inbound',
    summary:
      'Provisioning log (Graph provisioningObjectSummary shape) by source, person, status, lifecycle and time',
    scope: 'audit.read',
    query: logQuery,
    responses: { 200: { description: 'Entries, newest first' } },
    handler: async ({ query, c }) => {
      const { cursor, ...rest } = query;
      const page = await inbound.logs({ ...rest, ...(cursor !== undefined ? { before: cursor } : {}) });
      return json(c, page);
    },
  });
}

/**
 * Microsoft Graph's path for API-driven provisioning, so an Entra client changes only its base URL and
 * token: the service principal id names the source; any job id is accepted.
 */
export function mountGraphBulkUpload(
  app: Hono<HttpEnv>,
  inbound: Inbound,
  auth: (scope: Scope) => MiddlewareHandler<HttpEnv>,
  limits: InboundRouteLimits,
): void {
  for (const prefix of ['/v1.0', '/beta']) {
    app.post(
      `${prefix}/servicePrincipals/:id/synchronization/jobs/:jobId/bulkUpload`,
      auth('inbound.upload'),
      (c) => handleBulkUpload(c, inbound, c.req.param('id'), limits.maxPayloadBytes),
    );
  }
}

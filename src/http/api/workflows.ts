import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { failure } from '../../core/index.ts';
import { callbackBodySchema, type Workflows } from '../../workflows/index.ts';
import type { HttpEnv } from '../env.ts';
import { errorResponse, validationFailure } from '../errors.ts';
import { parseJsonBody } from '../json-body.ts';
import { idParams, json, limitQuery, type RouteRegistry } from '../routes.ts';
import { etagOf, ifMatchVersion } from './versioning.ts';

const definitionBody = z.looseObject({});
const enabledBody = z.strictObject({ enabled: z.boolean() });
const activateBody = z
  .strictObject({
    /** Graph's shape: `subjects: [{ id }]`; or a plain list of ids. */
    subjects: z
      .array(z.strictObject({ id: z.uuid() }))
      .max(100)
      .optional(),
    userIds: z.array(z.uuid()).max(100).optional(),
  })
  .refine((b) => (b.subjects?.length ?? 0) + (b.userIds?.length ?? 0) > 0, 'name at least one person');
const runQuery = z.strictObject({
  workflowId: z.uuid().optional(),
  userId: z.uuid().optional(),
  status: z
    .enum(['queued', 'running', 'waiting', 'completed', 'completedWithErrors', 'failed', 'cancelled'])
    .optional(),
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});
const workflowRunQuery = runQuery.omit({ workflowId: true });
const signInsBody = z.strictObject({
  signIns: z
    .array(z.strictObject({ userId: z.uuid(), at: z.iso.datetime({ offset: true }) }))
    .min(1)
    .max(10_000),
});

/** The lifecycle workflow admin API: definitions, templates, on-demand runs, run history, extensions. */
export function workflowRoutes(api: RouteRegistry, workflows: Workflows): void {
  const base = { tag: 'workflows', scope: 'admin' } as const;
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/templates',
    summary: "Ready definitions equivalent to Entra's ten lifecycle workflow templates",
    responses: { 200: { description: 'Templates' } },
    handler: async ({ c }) => json(c, { items: workflows.templates() }),
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/tasks',
    summary: 'The built-in tasks, with the workflow categories each may appear in',
    responses: { 200: { description: 'Tasks' } },
    handler: async ({ c }) => json(c, { items: workflows.tasks() }),
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows',
    summary: 'List workflows',
    query: z.strictObject({ category: z.enum(['joiner', 'mover', 'leaver']).optional() }),
    responses: { 200: { description: 'Workflows' } },
    handler: async ({ query, c }) => json(c, { items: await workflows.list(query) }),
  });
  api.add({
    ...base,
    method: 'post',
    path: '/workflows',
    summary:
      'Create a workflow: { name, description, category, enabled, scope: { rule, groupIds }, trigger, tasks: [{ task, arguments, continueOnError, enabled }] }, or { template, ...overrides }',
    body: definitionBody,
    responses: { 201: { description: 'Created (version 1)' } },
    handler: async ({ body, ctx, c }) => {
      const r = await workflows.create(ctx, body);
      if (!r.ok) return errorResponse(c, r.error);
      return json(c, r.value, 201, { Location: `/api/v1/workflows/${r.value.id}` });
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/runs',
    summary: 'Runs across workflows, newest first (filter by person, workflow or status)',
    query: runQuery,
    responses: { 200: { description: 'Runs' } },
    handler: async ({ query, c }) => {
      const r = await workflows.runs(query);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/runs/:id',
    summary: 'One run with the result of each task',
    params: idParams,
    responses: { 200: { description: 'The run' } },
    handler: async ({ params, c }) => {
      const r = await workflows.run(params.id);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  for (const [action, summary] of [
    ['retry', 'Retry a failed run from the task that failed (tasks done are not repeated)'],
    ['cancel', 'Cancel a queued, waiting or failed run'],
  ] as const)
    api.add({
      ...base,
      method: 'post',
      path: `/workflows/runs/:id/${action}`,
      summary,
      params: idParams,
      responses: { 200: { description: 'The run' } },
      handler: async ({ params, ctx, c }) => {
        const r =
          action === 'retry'
            ? await workflows.retryRun(ctx, params.id)
            : await workflows.cancelRun(ctx, params.id);
        return r.ok ? json(c, r.value) : errorResponse(c, r.error);
      },
    });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/extensions',
    summary: 'Custom task extensions (secrets redacted)',
    responses: { 200: { description: 'Extensions' } },
    handler: async ({ c }) => json(c, { items: await workflows.extensions() }),
  });
  api.add({
    ...base,
    method: 'post',
    path: '/workflows/extensions',
    summary:
      'Create a custom task extension: { name, endpoint, secret, timeoutSeconds, mode: launchAndContinue | launchAndWait, callbackTimeoutMinutes, headers }',
    body: definitionBody,
    responses: { 201: { description: 'Created' } },
    handler: async ({ body, ctx, c }) => {
      const r = await workflows.createExtension(ctx, body);
      if (!r.ok) return errorResponse(c, r.error);
      return json(c, r.value, 201, { Location: `/api/v1/workflows/extensions/${r.value.id}` });
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/extensions/:id',
    summary: 'One custom task extension',
    params: idParams,
    responses: { 200: { description: 'The extension' } },
    handler: async ({ params, c }) => {
      const r = await workflows.extension(params.id);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'put',
    path: '/workflows/extensions/:id',
    summary: 'Replace a custom task extension ("secret": "********" keeps the stored one)',
    params: idParams,
    body: definitionBody,
    responses: { 200: { description: 'The extension' } },
    handler: async ({ params, body, ctx, c }) => {
      const r = await workflows.updateExtension(ctx, params.id, body);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/workflows/signIns',
    summary:
      'Report sign-ins from your identity provider (for inactivity triggers); the latest per person is kept',
    body: signInsBody,
    responses: { 200: { description: 'How many people were updated' } },
    handler: async ({ body, c }) => {
      const r = await workflows.recordSignIns(body.signIns);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/:id',
    summary: 'One workflow (its current version)',
    params: idParams,
    responses: { 200: { description: 'The workflow' } },
    handler: async ({ params, c }) => {
      const r = await workflows.get(params.id);
      return r.ok ? json(c, r.value, 200, { ETag: etagOf(r.value.version) }) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'put',
    path: '/workflows/:id',
    summary: 'Replace the definition: a new version (runs keep the version they started with)',
    params: idParams,
    body: definitionBody,
    responses: { 200: { description: 'The workflow, one version later' } },
    handler: async ({ params, body, ctx, c }) => {
      const ifMatch = ifMatchVersion(c);
      if (!ifMatch.ok) return errorResponse(c, ifMatch.error);
      const r = await workflows.update(
        ctx,
        params.id,
        body,
        ifMatch.version === undefined ? {} : { ifVersion: ifMatch.version },
      );
      return r.ok ? json(c, r.value, 200, { ETag: etagOf(r.value.version) }) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'patch',
    path: '/workflows/:id',
    summary: 'Enable or disable: { enabled } (not a new version)',
    params: idParams,
    body: enabledBody,
    responses: { 200: { description: 'The workflow' } },
    handler: async ({ params, body, ctx, c }) => {
      const r = await workflows.setEnabled(ctx, params.id, body.enabled);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'delete',
    path: '/workflows/:id',
    summary: 'Delete a workflow (its queued runs are cancelled; history stays)',
    params: idParams,
    responses: { 200: { description: 'Deleted' } },
    handler: async ({ params, ctx, c }) => {
      const r = await workflows.delete(ctx, params.id);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/:id/versions',
    summary: 'Every version of the definition, newest first',
    params: idParams,
    responses: { 200: { description: 'Versions' } },
    handler: async ({ params, c }) => {
      const r = await workflows.versions(params.id);
      return r.ok ? json(c, { items: r.value }) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/workflows/:id/runs',
    summary: "This workflow's runs, newest first",
    params: idParams,
    query: workflowRunQuery,
    responses: { 200: { description: 'Runs' } },
    handler: async ({ params, query, c }) => {
      const r = await workflows.workflowRuns(params.id, query);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/workflows/:id/activate',
    summary: "Run now for chosen people (Graph's activate: { subjects: [{ id }] }), whatever the trigger",
    params: idParams,
    body: activateBody,
    responses: { 202: { description: 'Runs queued' } },
    handler: async ({ params, body, ctx, c }) => {
      const ids = [...(body.subjects ?? []).map((s) => s.id), ...(body.userIds ?? [])];
      const r = await workflows.activate(ctx, params.id, ids);
      return r.ok ? json(c, r.value, 202) : errorResponse(c, r.error);
    },
  });
}

/**
 * The single-use callback of a launchAndWait custom task extension. No token: the URL is the secret
 * (only its hash is stored), and it works once.
 */
export function mountWorkflowCallbacks(app: Hono<HttpEnv>, workflows: Workflows): void {
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) =>
      errorResponse(c as Context<HttpEnv>, failure('request.invalid', 'the body is larger than 64 KiB')),
  });
  app.post('/api/v1/workflows/callbacks/:token', limit, async (c) => {
    const raw = parseJsonBody(await c.req.text());
    if (!raw.ok) return errorResponse(c, failure('request.invalid_json', raw.message));
    const parsed = callbackBodySchema.safeParse(raw.value);
    if (!parsed.success) return errorResponse(c, validationFailure('body', parsed.error));
    const r = await workflows.callback(c.req.param('token'), parsed.data);
    return r.ok ? c.json(r.value, 200) : errorResponse(c, r.error);
  });
}

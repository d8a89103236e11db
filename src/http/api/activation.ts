import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Activation } from '../../activation/index.ts';
import { type Failure, failure } from '../../core/index.ts';
import { clientAddress } from '../activation/client.ts';
import type { HttpEnv } from '../env.ts';
import { errorResponse, validationFailure } from '../errors.ts';
import { parseJsonBody } from '../json-body.ts';
import { idParams, json, type RouteRegistry } from '../routes.ts';

const issuedSchema = z.object({
  code: z.string(),
  codeId: z.uuid(),
  validFrom: z.string(),
  expiresAt: z.string(),
  url: z.string(),
});
const statusSchema = z.object({
  activated: z.boolean(),
  activatedAt: z.string().nullable(),
  code: z
    .object({
      codeId: z.uuid(),
      validFrom: z.string(),
      expiresAt: z.string(),
      state: z.enum(['live', 'used', 'revoked', 'expired']),
    })
    .nullable(),
  lockedUntil: z.string().nullable(),
});

/** The admin side: a person's activation state, reissuing (the code is shown once) and revoking. */
export function activationRoutes(api: RouteRegistry, activation: Activation): void {
  const base = { tag: 'activation', scope: 'admin', params: idParams } as const;
  api.add({
    ...base,
    method: 'get',
    path: '/users/:id/activation',
    summary: 'Whether the person has activated, their latest code (never the code itself) and any lockout',
    responses: { 200: { description: 'Activation state', schema: statusSchema } },
    handler: async ({ params, c }) => {
      const result = await activation.status(params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'post',
    path: '/users/:id/activation/code',
    summary: 'Issue a new activation code (the live one is revoked); the code is in this response only',
    responses: { 201: { description: 'The new code', schema: issuedSchema } },
    handler: async ({ params, ctx, c }) => {
      const result = await activation.reissue(ctx, params.id);
      return result.ok
        ? json(c, result.value, 201, { 'Cache-Control': 'no-store' })
        : errorResponse(c, result.error);
    },
  });
  api.add({
    ...base,
    method: 'delete',
    path: '/users/:id/activation/code',
    summary: 'Revoke the live activation code (revoked: false when there was none)',
    responses: {
      200: { description: 'Whether a code was revoked', schema: z.object({ revoked: z.boolean() }) },
    },
    handler: async ({ params, ctx, c }) => {
      const result = await activation.revoke(ctx, params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
}

const verifyBody = z.strictObject({
  userName: z.string().max(256),
  code: z.string().max(100),
  fact: z.string().max(320),
});
const completeBody = z.strictObject({ token: z.string().min(1).max(200), password: z.string().max(4096) });

async function readBody<T>(
  c: Context<HttpEnv>,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: Failure }> {
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(c.req.header('content-type') ?? ''))
    return {
      ok: false,
      error: failure(
        'request.unsupported_media_type',
        'the body must be JSON (Content-Type: application/json)',
      ),
    };
  const raw = parseJsonBody(await c.req.text());
  if (!raw.ok) return { ok: false, error: failure('request.invalid_json', raw.message) };
  const parsed = schema.safeParse(raw.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: validationFailure('body', parsed.error) };
}

/** Errors of the public API, with Retry-After on a lockout and never cached. */
function publicError(c: Context<HttpEnv>, f: Failure): Response {
  const res = errorResponse(c, f);
  res.headers.set('Cache-Control', 'no-store');
  if (f.code === 'activation.locked')
    res.headers.set('Retry-After', String(f.details?.retryAfterSeconds ?? 60));
  return res;
}

/**
 * The public JSON API of the activation page (no token: the code is the credential). Small bodies
 * only; the lockout counts by the connection's address (see ../activation/client.ts).
 */
export function mountActivationApi(app: Hono<HttpEnv>, activation: Activation): void {
  const limit = bodyLimit({
    maxSize: 16 * 1024,
    onError: (c) =>
      publicError(c as Context<HttpEnv>, failure('request.invalid', 'the body is larger than 16 KiB')),
  });
  app.post('/api/v1/activation/verify', limit, async (c) => {
    const body = await readBody(c, verifyBody);
    if (!body.ok) return publicError(c, body.error);
    const correlationId = c.get('requestContext').correlationId;
    const result = await activation.verify({ ...body.value, client: clientAddress(c), correlationId });
    return result.ok
      ? c.json(result.value, 200, { 'Cache-Control': 'no-store' })
      : publicError(c, result.error);
  });
  app.post('/api/v1/activation/complete', limit, async (c) => {
    const body = await readBody(c, completeBody);
    if (!body.ok) return publicError(c, body.error);
    const correlationId = c.get('requestContext').correlationId;
    const result = await activation.complete({ ...body.value, client: clientAddress(c), correlationId });
    return result.ok
      ? c.json(result.value, 200, { 'Cache-Control': 'no-store' })
      : publicError(c, result.error);
  });
}

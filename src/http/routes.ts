import type { Context, Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Scope } from '../auth/index.ts';
import { failure, type RequestContext } from '../core/index.ts';
import type { HttpEnv } from './env.ts';
import { errorResponse, validationFailure } from './errors.ts';
import { parseJsonBody } from './json-body.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  ctx: RequestContext;
  c: Context<HttpEnv>;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Hono path (`/users/:id`); OpenAPI gets `{id}`. */
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (input: HandlerInput<P, Q, B>) => Promise<Response>;
}

/**
 * Routes are declared once with zod schemas: the same declaration validates requests and produces the
 * OpenAPI document, so the two cannot drift.
 */
export class RouteRegistry {
  readonly routes: RouteSpec[] = [];

  add<P, Q, B>(spec: RouteSpec<P, Q, B>): void {
    this.routes.push(spec as unknown as RouteSpec);
  }

  mount(app: Hono<HttpEnv>, auth: (scope: Scope) => MiddlewareHandler<HttpEnv>): void {
    for (const spec of this.routes) {
      app.on(spec.method.toUpperCase(), spec.path, auth(spec.scope), async (c) => {
        const params = parse(spec.params, c.req.param(), 'path');
        if (!params.ok) return errorResponse(c, params.error);
        const query = parse(spec.query, c.req.query(), 'query');
        if (!query.ok) return errorResponse(c, query.error);
        let body: unknown;
        if (spec.body) {
          const raw = await readJson(c);
          if (!raw.ok) return errorResponse(c, raw.error);
          const parsed = parse(spec.body, raw.value, 'body');
          if (!parsed.ok) return errorResponse(c, parsed.error);
          body = parsed.value;
        }
        return spec.handler({
          params: params.value,
          query: query.value,
          body,
          ctx: c.get('requestContext'),
          c,
        });
      });
    }
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: ReturnType<typeof failure> };

function parse<T>(
  schema: z.ZodType<T> | undefined,
  input: unknown,
  where: 'body' | 'query' | 'path',
): Parsed<T | undefined> {
  if (!schema) return { ok: true, value: undefined };
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: validationFailure(where, result.error) };
}

async function readJson(c: Context<HttpEnv>): Promise<Parsed<unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    return {
      ok: false,
      error: failure(
        'request.unsupported_media_type',
        'the body must be JSON (Content-Type: application/json)',
        {
          contentType: type || null,
        },
      ),
    };
  }
  const parsed = parseJsonBody(await c.req.text());
  if (parsed.ok) return parsed;
  return { ok: false, error: failure('request.invalid_json', parsed.message, {}) };
}

/** Shorthand for a JSON response with a status. */
export function json(
  c: Context<HttpEnv>,
  body: unknown,
  status: 200 | 201 | 202 = 200,
  headers?: Record<string, string>,
): Response {
  return c.json(body as object, status, headers);
}

export const idParams = z.object({ id: z.uuid('must be an id (UUID)') });
export const limitQuery = z.coerce.number().int().min(1).max(1000).default(100);
export const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { grants, type Principal, type Scope, type TokenDeps, verifyToken } from '../auth/index.ts';
import { type Failure, failure, type Logger } from '../core/index.ts';
import type { Metrics } from '../ops/index.ts';
import type { HttpEnv } from './env.ts';
import { errorResponse } from './errors.ts';

const safeId = /^[A-Za-z0-9._:-]{1,128}$/;

/** Path parameters that are credentials (a workflow callback's single-use token): never logged. */
const secretParams = new Set([':token']);

/** The request path for the access log, with secret path parameters replaced by `[redacted]`. */
export function loggedPath(route: string, path: string): string {
  const pattern = route.split('/');
  if (!pattern.some((s) => secretParams.has(s))) return path;
  return path
    .split('/')
    .map((segment, n) => (secretParams.has(pattern[n] ?? '') ? '[redacted]' : segment))
    .join('/');
}

/** Request id (echoed as X-Request-Id), correlation id, a child logger, access log and HTTP metrics. */
export function requestScope(logger: Logger, metrics: Metrics): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && safeId.test(incoming) ? incoming : randomUUID();
    const correlation = c.req.header('x-correlation-id');
    const correlationId = correlation && safeId.test(correlation) ? correlation : requestId;
    const log = logger.child({ reqId: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.set('requestContext', { actor: { type: 'system', id: null, name: 'anonymous' }, correlationId });
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    c.header('X-Request-Id', requestId);
    const route = routePath(c) || 'unmatched';
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    log.info(
      {
        method: c.req.method,
        path: loggedPath(route, c.req.path),
        status: c.res.status,
        ms: Math.round(seconds * 1000),
      },
      'request',
    );
  };
}

/**
 * Who the request's bearer token belongs to, with the scope checked. One place for the admin API and
 * the SCIM server, which only render the failure differently.
 */
export async function authenticate(
  deps: TokenDeps,
  authorization: string | undefined,
  scope: Scope,
): Promise<{ ok: true; principal: Principal } | { ok: false; failure: Failure }> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) {
    return {
      ok: false,
      failure: failure('auth.unauthenticated', 'an API token is required (Authorization: Bearer <token>)'),
    };
  }
  const principal = await verifyToken(deps, match[1]);
  if (!principal)
    return { ok: false, failure: failure('auth.unauthenticated', 'the API token is unknown or revoked') };
  if (!grants(principal.scopes, scope)) {
    return {
      ok: false,
      failure: failure('auth.forbidden', `this token lacks the "${scope}" scope`, {
        required: scope,
        held: principal.scopes,
      }),
    };
  }
  return { ok: true, principal };
}

/** Bearer-token authentication and the scope check of one route: 401 without a valid token, 403 without the scope. */
export function requireScope(deps: TokenDeps): (scope: Scope) => MiddlewareHandler<HttpEnv> {
  return (scope) => async (c, next) => {
    const auth = await authenticate(deps, c.req.header('authorization'), scope);
    if (!auth.ok) return errorResponse(c, auth.failure);
    const principal = auth.principal;
    c.set('principal', principal);
    c.set('requestContext', {
      actor: { type: 'token', id: principal.tokenId, name: principal.name },
      correlationId: c.get('requestContext').correlationId,
    });
    await next();
  };
}

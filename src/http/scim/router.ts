import type { Context, Hono } from 'hono';
import type { TokenDeps } from '../../auth/index.ts';
import {
  groupResourceSchemas,
  type ResourceSchemas,
  resourceTypeDocument,
  schemaDocument,
  scimErrorOf,
  serviceProviderConfig,
  userResourceSchemas,
} from '../../scim/index.ts';
import type { HttpEnv } from '../env.ts';
import { parseJsonBody } from '../json-body.ts';
import { authenticate } from '../middleware.ts';
import { bulkOp } from './bulk.ts';
import type { ScimCall, ScimDeps } from './context.ts';
import { dispatch } from './dispatch.ts';
import { failed, problem, render, type ScimOutcome } from './respond.ts';

export const SCIM_BASE = '/scim/v2';

const methodNotAllowed = (c: Context, allow: string) => {
  const response = render(c, problem(405, undefined, `${c.req.method} is not supported here; use ${allow}`));
  response.headers.set('Allow', allow);
  return response;
};

/** Reads the body as JSON whatever the SCIM client's content type spelling; null body when absent. */
async function readBody(
  c: Context,
  limit: number,
  search: boolean,
): Promise<{ ok: true; value: unknown } | { ok: false; outcome: ScimOutcome }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (
    type !== '' &&
    type !== 'application/scim+json' &&
    type !== 'application/json' &&
    !type.endsWith('+json')
  )
    return {
      ok: false,
      outcome: problem(415, undefined, `send application/scim+json or application/json, not ${type}`),
    };
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit)
    return { ok: false, outcome: problem(413, undefined, `the body exceeds ${limit} bytes`) };
  const text = await c.req.text();
  if (Buffer.byteLength(text) > limit)
    return { ok: false, outcome: problem(413, undefined, `the body exceeds ${limit} bytes`) };
  if (text.trim() === '') return { ok: true, value: undefined };
  // A search only reads: a NUL in its filter is answered like the same filter in a URL.
  const parsed = parseJsonBody(text, { allowNul: search });
  if (parsed.ok) return parsed;
  const scimType = parsed.message.startsWith('the body is not') ? 'invalidSyntax' : 'invalidValue';
  return { ok: false, outcome: problem(400, scimType, parsed.message) };
}

function discovery(
  c: Context,
  deps: ScimDeps,
  baseUrl: string,
  segments: string[],
): Promise<Response> | Response | null {
  const [first, ...rest] = segments;
  const name = first?.toLowerCase();
  if (
    name !== 'serviceproviderconfig' &&
    name !== 'serviceconfiguration' &&
    name !== 'resourcetypes' &&
    name !== 'schemas'
  )
    return null;
  if (c.req.method !== 'GET') return methodNotAllowed(c, 'GET');
  if (name === 'serviceproviderconfig' || name === 'serviceconfiguration') {
    if (rest.length) return render(c, problem(404, undefined, 'no such resource'));
    return render(c, { status: 200, body: serviceProviderConfig(baseUrl, deps.limits) });
  }
  return (async () => {
    const custom = await deps.customSchemas();
    const types: ResourceSchemas[] = [userResourceSchemas(custom), groupResourceSchemas];
    const documents =
      name === 'resourcetypes'
        ? types.map((t) => ({ id: t.resourceType, doc: resourceTypeDocument(baseUrl, t) }))
        : [...new Map(types.flatMap((t) => [t.core, ...t.extensions]).map((s) => [s.id, s])).values()].map(
            (s) => ({
              id: s.id,
              doc: schemaDocument(
                baseUrl,
                s,
                types.some((t) => t.core === s),
              ),
            }),
          );
    if (rest.length === 0) {
      return render(c, {
        status: 200,
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
          totalResults: documents.length,
          itemsPerPage: documents.length,
          startIndex: 1,
          Resources: documents.map((d) => d.doc),
        },
      });
    }
    const wanted = decodeURIComponent(rest.join('/')).toLowerCase();
    const found = documents.find((d) => d.id.toLowerCase() === wanted);
    return render(
      c,
      found ? { status: 200, body: found.doc } : problem(404, undefined, `${rest.join('/')} not found`),
    );
  })();
}

/**
 * The SCIM 2.0 service provider under /scim/v2. Resource names match case-insensitively (`/users`
 * works), errors are SCIM Error bodies, and every resource operation needs a token with the `scim`
 * scope. Discovery documents are public: a client reads them before it has credentials configured.
 */
export function mountScim(app: Hono<HttpEnv>, deps: ScimDeps, tokens: TokenDeps): void {
  const handler = async (c: Context<HttpEnv>) => {
    try {
      return await serveScim(c);
    } catch (error) {
      // Unexpected: logged with the request id; the client gets a SCIM error body, never internals.
      c.get('log')?.error({ err: error }, 'unhandled error in SCIM request');
      return render(c, problem(500, undefined, `internal error (request ${c.get('requestId')})`));
    }
  };
  const serveScim = async (c: Context<HttpEnv>) => {
    const url = new URL(c.req.url);
    const baseUrl = `${url.origin}${SCIM_BASE}`;
    const segments = c.req.path
      .slice(SCIM_BASE.length)
      .split('/')
      .filter((s) => s.length > 0);
    const found = discovery(c, deps, baseUrl, segments);
    if (found) return found;

    const auth = await authenticate(tokens, c.req.header('authorization'), 'scim');
    if (!auth.ok) return render(c, failed(scimErrorOf(auth.failure)));
    const principal = auth.principal;
    const ctx = {
      actor: { type: 'token' as const, id: principal.tokenId, name: principal.name },
      correlationId: c.get('requestContext').correlationId,
    };
    const isBulk = segments.length === 1 && segments[0]?.toLowerCase() === 'bulk';
    const limit = isBulk ? deps.limits.bulkMaxPayloadBytes : deps.limits.bulkMaxPayloadBytes * 4;
    let body: unknown;
    if (c.req.method === 'POST' || c.req.method === 'PUT' || c.req.method === 'PATCH') {
      const read = await readBody(c, limit, segments[1] === '.search');
      if (!read.ok) return render(c, read.outcome);
      body = read.value;
    }
    const call: ScimCall = {
      ctx,
      baseUrl,
      query: c.req.query(),
      body,
      ifMatch: c.req.header('if-match'),
      ifNoneMatch: c.req.header('if-none-match'),
    };
    if (isBulk) {
      if (c.req.method !== 'POST') return methodNotAllowed(c, 'POST');
      return render(c, await bulkOp(deps, call));
    }
    const outcome = await dispatch(deps, call, c.req.method, segments);
    if (outcome === 'method') {
      return methodNotAllowed(
        c,
        segments.length === 1 ? 'GET, POST' : segments[1] === '.search' ? 'POST' : 'GET, PUT, PATCH, DELETE',
      );
    }
    return render(c, outcome);
  };
  app.all(SCIM_BASE, handler);
  app.all(`${SCIM_BASE}/*`, handler);
  // RFC 7644 §3.13: the version is in the path; any other version is invalidVers, not a bare 404.
  const otherVersion = (c: Context<HttpEnv>) =>
    render(c, problem(400, 'invalidVers', `this server speaks SCIM 2.0 only, at ${SCIM_BASE}`));
  app.all('/scim/v1', otherVersion);
  app.all('/scim/v1/*', otherVersion);
}

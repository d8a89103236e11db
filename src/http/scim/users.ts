import type { User } from '../../directory/index.ts';
import {
  applyPatch,
  filterNames,
  LIST_RESPONSE,
  type ListQuery,
  parseListQuery,
  project,
  type SchemaDefinition,
  type ScimResource,
  scimErrorOf,
  userResourceSchemas,
} from '../../scim/index.ts';
import type { ScimCall, ScimDeps } from './context.ts';
import {
  etagOf,
  failed,
  notAnObject,
  problem,
  readPreconditions,
  type ScimOutcome,
  writePreconditions,
} from './respond.ts';
import { userInputFrom } from './user-input.ts';
import { userToScim } from './user-resource.ts';

const notFound = (id: string) => problem(404, undefined, `User ${id} not found`);

async function withGroups(deps: ScimDeps, user: User, resource: ScimResource, query: ListQuery | null) {
  const asked = query?.attributes.some((a) => /(^|:)groups(\.|$)/i.test(a));
  if (!asked) return resource;
  const groups = await deps.directory.memberOf(user.id, { transitive: true });
  if (groups.length)
    resource.groups = groups.map((g) => ({
      value: g.id,
      display: g.displayName,
      type: g.direct ? 'direct' : 'indirect',
    }));
  return resource;
}

async function rendered(
  deps: ScimDeps,
  call: ScimCall,
  user: User,
  query: ListQuery | null,
  custom?: readonly SchemaDefinition[],
): Promise<ScimResource> {
  custom ??= await deps.customSchemas();
  const resource = await withGroups(deps, user, userToScim(user, call.baseUrl, custom), query);
  return query ? project(resource, userResourceSchemas(custom), query) : resource;
}

function projectionOf(call: ScimCall, deps: ScimDeps): ListQuery | ScimOutcome {
  const parsed = parseListQuery(call.query, deps.limits.maxResults);
  return parsed.ok ? parsed.value : failed(parsed.error);
}

export async function getUserOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  const query = projectionOf(call, deps);
  if ('status' in query) return query;
  const found = await deps.directory.getUser(id);
  if (!found.ok) return notFound(id);
  const user = found.value;
  const etag = etagOf(user.version);
  const precondition = readPreconditions(call, 'User', user.version);
  if (precondition) return precondition;
  return {
    status: 200,
    body: await rendered(deps, call, user, query),
    etag,
    location: `${call.baseUrl}/Users/${id}`,
  };
}

export async function createUserOp(deps: ScimDeps, call: ScimCall): Promise<ScimOutcome> {
  const shapeless = notAnObject(call.body, 'User');
  if (shapeless) return shapeless;
  const custom = await deps.customSchemas();
  const input = userInputFrom(call.body as ScimResource, custom);
  if (!input.ok) return failed(input.error);
  const created = await deps.directory.createUser(call.ctx, input.value);
  if (!created.ok) return failed(scimErrorOf(created.error));
  const location = `${call.baseUrl}/Users/${created.value.id}`;
  return {
    status: 201,
    body: await rendered(deps, call, created.value, null),
    location,
    etag: etagOf(created.value.version),
  };
}

/** PUT (RFC 7644 §3.5.1): the body replaces every writable attribute; readOnly ones are ignored. */
export async function replaceUserOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  const shapeless = notAnObject(call.body, 'User');
  if (shapeless) return shapeless;
  const found = await deps.directory.getUser(id);
  if (!found.ok) return notFound(id);
  const expected = writePreconditions(call, 'User', found.value.version);
  if ('status' in expected) return expected;
  const custom = await deps.customSchemas();
  const input = userInputFrom(call.body as ScimResource, custom);
  if (!input.ok) return failed(input.error);
  return saved(deps, call, await deps.directory.updateUser(call.ctx, id, input.value, expected));
}

async function saved(
  deps: ScimDeps,
  call: ScimCall,
  result: Awaited<ReturnType<ScimDeps['directory']['updateUser']>>,
): Promise<ScimOutcome> {
  if (!result.ok) return failed(scimErrorOf(result.error));
  const user = result.value;
  return {
    status: 200,
    body: await rendered(deps, call, user, null),
    etag: etagOf(user.version),
    location: `${call.baseUrl}/Users/${user.id}`,
  };
}

const PATCH_ATTEMPTS = 3;

/**
 * PATCH (RFC 7644 §3.5.2): the operations are applied to the current resource in memory, and the
 * result is written only if nobody changed the user meanwhile (row version). Without If-Match a lost
 * race is retried on the fresh resource; with If-Match it is the client's 412.
 */
export async function patchUserOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  for (let attempt = 1; ; attempt++) {
    const found = await deps.directory.getUser(id);
    if (!found.ok) return notFound(id);
    const user = found.value;
    const expected = writePreconditions(call, 'User', user.version);
    if ('status' in expected) return expected;
    const custom = await deps.customSchemas();
    const patched = applyPatch(
      userToScim(user, call.baseUrl, custom),
      call.body,
      userResourceSchemas(custom),
    );
    if (!patched.ok) return failed(patched.error);
    const input = userInputFrom(patched.value, custom);
    if (!input.ok) return failed(input.error);
    const result = await deps.directory.updateUser(call.ctx, id, input.value, { ifVersion: user.version });
    if (
      !result.ok &&
      result.error.code === 'directory.version_mismatch' &&
      expected.ifVersion === undefined
    ) {
      if (attempt < PATCH_ATTEMPTS) continue;
    }
    return saved(deps, call, result);
  }
}

export async function deleteUserOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  const found = await deps.directory.getUser(id);
  if (!found.ok) return notFound(id);
  const expected = writePreconditions(call, 'User', found.value.version);
  if ('status' in expected) return expected;
  const deleted = await deps.directory.deleteUser(call.ctx, id, expected);
  if (!deleted.ok) return failed(scimErrorOf(deleted.error));
  return { status: 204 };
}

/** GET /Users and POST /Users/.search: a ListResponse (RFC 7644 §3.4.2). */
export async function listUsersOp(
  deps: ScimDeps,
  call: ScimCall,
  raw: Record<string, unknown>,
): Promise<ScimOutcome> {
  const parsed = parseListQuery(raw, deps.limits.maxResults);
  if (!parsed.ok) return failed(parsed.error);
  const query = parsed.value;
  // RFC 7644 §7.5.2 / §3.12 `sensitive`: a password must never travel in a URL, where proxies log it.
  if (raw === call.query && query.filter && filterNames(query.filter, 'password'))
    return problem(
      403,
      'sensitive',
      'a filter on password must not be sent in the URL; use POST /Users/.search',
    );
  const custom = await deps.customSchemas();
  const schemas = userResourceSchemas(custom);
  const page = await deps.directory.searchUsers(schemas, query);
  if (!page.ok) return failed(page.error);
  const resources = await Promise.all(page.value.rows.map((u) => rendered(deps, call, u, query, custom)));
  return {
    status: 200,
    body: {
      schemas: [LIST_RESPONSE],
      totalResults: page.value.total,
      itemsPerPage: resources.length,
      startIndex: query.startIndex,
      Resources: resources,
    },
  };
}

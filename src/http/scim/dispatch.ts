import type { ScimCall, ScimDeps } from './context.ts';
import {
  createGroupOp,
  deleteGroupOp,
  getGroupOp,
  listGroupsOp,
  patchGroupOp,
  replaceGroupOp,
} from './groups.ts';
import { problem, type ScimOutcome } from './respond.ts';
import { createUserOp, deleteUserOp, getUserOp, listUsersOp, patchUserOp, replaceUserOp } from './users.ts';

const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:searchrequest';

function searchBody(body: unknown): Record<string, unknown> | ScimOutcome {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return problem(400, 'invalidSyntax', 'a .search body must be a SearchRequest object');
  const schemas = (body as { schemas?: unknown }).schemas;
  if (Array.isArray(schemas) && !schemas.some((s) => String(s).toLowerCase() === SEARCH_REQUEST))
    return problem(400, 'invalidSyntax', `a .search body must list "${SEARCH_REQUEST}" in schemas`);
  return body as Record<string, unknown>;
}

const operations = {
  users: {
    list: listUsersOp,
    create: createUserOp,
    get: getUserOp,
    replace: replaceUserOp,
    patch: patchUserOp,
    remove: deleteUserOp,
  },
  groups: {
    list: listGroupsOp,
    create: createGroupOp,
    get: getGroupOp,
    replace: replaceGroupOp,
    patch: patchGroupOp,
    remove: deleteGroupOp,
  },
};

/**
 * Routes one resource call by method and path segments (`Users`, `Users/{id}`, `Users/.search`);
 * shared by the HTTP routes and Bulk. 'method' means the path exists but not for this method.
 */
export async function dispatch(
  deps: ScimDeps,
  call: ScimCall,
  method: string,
  segments: string[],
): Promise<ScimOutcome | 'method'> {
  const kind = segments[0]?.toLowerCase();
  if ((kind !== 'users' && kind !== 'groups') || segments.length > 2)
    return problem(404, undefined, `no SCIM endpoint /${segments.join('/')}`);
  const ops = operations[kind];
  if (segments.length === 1) {
    if (method === 'GET') return ops.list(deps, call, call.query);
    if (method === 'POST') return ops.create(deps, call);
    return 'method';
  }
  const id = decodeURIComponent(segments[1] as string);
  if (id === '.search') {
    if (method !== 'POST') return 'method';
    const body = searchBody(call.body);
    return 'status' in body && typeof body.status === 'number'
      ? (body as ScimOutcome)
      : ops.list(deps, call, body as Record<string, unknown>);
  }
  switch (method) {
    case 'GET':
      return ops.get(deps, call, id);
    case 'PUT':
      return ops.replace(deps, call, id);
    case 'PATCH':
      return ops.patch(deps, call, id);
    case 'DELETE':
      return ops.remove(deps, call, id);
    default:
      return 'method';
  }
}

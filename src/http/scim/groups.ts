import { type Group, groupPatchSchema, type MemberRef } from '../../directory/index.ts';
import {
  applyPatch,
  groupResourceSchemas,
  LIST_RESPONSE,
  type ListQuery,
  parseListQuery,
  parsePatchRequest,
  project,
  type ScimResource,
  scimErrorOf,
} from '../../scim/index.ts';
import type { ScimCall, ScimDeps } from './context.ts';
import { emptyPlan, planMembersOp, targetsMembers } from './group-members-patch.ts';
import { groupToScim } from './group-resource.ts';
import {
  etagOf,
  failed,
  notAnObject,
  problem,
  readPreconditions,
  type ScimOutcome,
  writePreconditions,
} from './respond.ts';
import { prop } from './user-resource.ts';

const notFound = (id: string) => problem(404, undefined, `Group ${id} not found`);

function wantsMembers(query: ListQuery | null): boolean {
  if (!query) return true;
  const named = (list: string[]) =>
    list.some((a) => /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\.|$)/i.test(a));
  if (query.attributes.length) return named(query.attributes);
  return !query.excludedAttributes.some((a) =>
    /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members$/i.test(a),
  );
}

async function renderGroups(deps: ScimDeps, call: ScimCall, groups: Group[], query: ListQuery | null) {
  const members = wantsMembers(query) ? await deps.directory.directMembersOf(groups.map((g) => g.id)) : null;
  return groups.map((g) => {
    const resource = groupToScim(g, members?.get(g.id) ?? null, call.baseUrl);
    return query ? project(resource, groupResourceSchemas, query) : resource;
  });
}

/** displayName and externalId of a SCIM Group body, checked by the directory's own schema. */
function attributesOf(
  body: ScimResource,
):
  | { ok: true; value: { displayName: string; externalId: string | null } }
  | { ok: false; outcome: ScimOutcome } {
  const externalId = prop(body, 'externalId');
  const parsed = groupPatchSchema.safeParse({
    displayName: prop(body, 'displayName'),
    externalId: externalId === '' || externalId === undefined ? null : externalId,
  });
  if (!parsed.success || parsed.data.displayName === undefined) {
    const issue = parsed.success ? null : parsed.error.issues[0];
    const detail = issue ? `${issue.path.join('.')}: ${issue.message}` : 'displayName is required';
    return { ok: false, outcome: problem(400, 'invalidValue', detail) };
  }
  return {
    ok: true,
    value: { displayName: parsed.data.displayName, externalId: parsed.data.externalId ?? null },
  };
}

async function memberRefs(deps: ScimDeps, ids: Iterable<string>): Promise<MemberRef[] | ScimOutcome> {
  const list = [...ids];
  if (list.length === 0) return [];
  const { refs, missing } = await deps.directory.classifyMembers(list);
  if (missing.length) return problem(400, 'invalidValue', `members: no user or group has id ${missing[0]}`);
  return refs;
}

function idsOfMembers(value: unknown): string[] | ScimOutcome {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return problem(400, 'invalidValue', 'members must be an array');
  const ids: string[] = [];
  for (const m of value) {
    const id = prop(m, 'value');
    if (typeof id !== 'string') return problem(400, 'invalidValue', 'each member needs a "value" id');
    ids.push(id);
  }
  return ids;
}

/** The `members` of a POST or PUT body as directory references; an unknown id ends the call. */
async function bodyMembers(deps: ScimDeps, body: ScimResource): Promise<MemberRef[] | ScimOutcome> {
  const ids = idsOfMembers(prop(body, 'members'));
  return Array.isArray(ids) ? memberRefs(deps, ids) : ids;
}

async function answer(deps: ScimDeps, call: ScimCall, group: Group, status: number): Promise<ScimOutcome> {
  const [body] = await renderGroups(deps, call, [group], null);
  return { status, body, etag: etagOf(group.version), location: `${call.baseUrl}/Groups/${group.id}` };
}

export async function getGroupOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  const parsed = parseListQuery(call.query, deps.limits.maxResults);
  if (!parsed.ok) return failed(parsed.error);
  const found = await deps.directory.getGroup(id);
  if (!found.ok) return notFound(id);
  const etag = etagOf(found.value.version);
  const precondition = readPreconditions(call, 'Group', found.value.version);
  if (precondition) return precondition;
  const [body] = await renderGroups(deps, call, [found.value], parsed.value);
  return { status: 200, body, etag, location: `${call.baseUrl}/Groups/${id}` };
}

export async function createGroupOp(deps: ScimDeps, call: ScimCall): Promise<ScimOutcome> {
  const shapeless = notAnObject(call.body, 'Group');
  if (shapeless) return shapeless;
  const body = call.body as ScimResource;
  const attributes = attributesOf(body);
  if (!attributes.ok) return attributes.outcome;
  const refs = await bodyMembers(deps, body);
  if (!Array.isArray(refs)) return refs;
  const created = await deps.directory.createGroupWithMembers(call.ctx, attributes.value, refs);
  if (!created.ok) return failed(scimErrorOf(created.error));
  return answer(deps, call, created.value, 201);
}

export async function replaceGroupOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  const shapeless = notAnObject(call.body, 'Group');
  if (shapeless) return shapeless;
  const found = await deps.directory.getGroup(id);
  if (!found.ok) return notFound(id);
  const expected = writePreconditions(call, 'Group', found.value.version);
  if ('status' in expected) return expected;
  const body = call.body as ScimResource;
  const attributes = attributesOf(body);
  if (!attributes.ok) return attributes.outcome;
  const refs = await bodyMembers(deps, body);
  if (!Array.isArray(refs)) return refs;
  const changed = await deps.directory.changeGroup(call.ctx, id, {
    attributes: attributes.value,
    remove: 'all',
    add: refs,
    ...expected,
  });
  return changed.ok ? answer(deps, call, changed.value, 200) : failed(scimErrorOf(changed.error));
}

/**
 * PATCH (RFC 7644 §3.5.2) of a group: `members` operations become one membership plan, the rest is
 * applied to the member-less resource; both are written in one transaction. Answers 204 (allowed by
 * §3.5.2) unless `attributes` asks for the resource, so a PATCH never lists a large group's members.
 */
export async function patchGroupOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  // The whole message is checked first, members operations included (the plan skips the engine).
  const request = parsePatchRequest(call.body);
  if (!request.ok) return failed(request.error);
  for (let attempt = 1; ; attempt++) {
    const outcome = await patchGroupOnce(deps, call, id);
    // Without If-Match a concurrent writer is not the client's problem: try again on the fresh group.
    if (outcome !== 'raced') return outcome;
    if (attempt >= 3) return problem(409, undefined, 'the group kept changing during the PATCH; retry');
  }
}

async function patchGroupOnce(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome | 'raced'> {
  const found = await deps.directory.getGroup(id);
  if (!found.ok) return notFound(id);
  const group = found.value;
  const expected = writePreconditions(call, 'Group', group.version);
  if ('status' in expected) return expected;
  const operations = prop(call.body, 'Operations');
  const plan = emptyPlan();
  const rest: unknown[] = [];
  if (Array.isArray(operations)) {
    for (const operation of operations) {
      const op = prop(operation, 'op');
      const path = prop(operation, 'path');
      const value = prop(operation, 'value');
      const opName = typeof op === 'string' ? op.toLowerCase() : '';
      if (['add', 'replace', 'remove'].includes(opName) && targetsMembers(path)) {
        const planned = planMembersOp(plan, opName, path as string, value);
        if (!planned.ok) return failed(planned.error);
        continue;
      }
      const members = path === undefined && opName !== 'remove' ? prop(value, 'members') : undefined;
      if (members !== undefined) {
        // A pathless value carrying members: the members part joins the plan, the rest stays an op.
        const planned = planMembersOp(plan, opName, null, members);
        if (!planned.ok) return failed(planned.error);
        const others = Object.fromEntries(
          Object.entries(value as object).filter(([k]) => k.toLowerCase() !== 'members'),
        );
        rest.push({ ...(operation as object), value: others });
        continue;
      }
      rest.push(operation);
    }
  }
  const envelope = { ...(call.body as object), Operations: rest };
  const base = groupToScim(group, null, call.baseUrl);
  const patched =
    rest.length || !Array.isArray(operations) ? applyPatch(base, envelope, groupResourceSchemas) : null;
  if (patched && !patched.ok) return failed(patched.error);
  const attributes = patched ? attributesOf(patched.value) : null;
  if (attributes && !attributes.ok) return attributes.outcome;
  const refs = await memberRefs(deps, plan.add);
  if (!Array.isArray(refs)) return refs;
  const changed = await deps.directory.changeGroup(call.ctx, id, {
    ...(attributes ? { attributes: attributes.value } : {}),
    remove: plan.replaceAll ? 'all' : [...plan.remove],
    add: refs,
    // Member-only changes do not depend on what was read, so they need no version check.
    ifVersion: expected.ifVersion ?? (attributes ? group.version : undefined),
  });
  if (!changed.ok) {
    if (changed.error.code === 'directory.version_mismatch' && expected.ifVersion === undefined)
      return 'raced';
    return failed(scimErrorOf(changed.error));
  }
  const query = parseListQuery(call.query, deps.limits.maxResults);
  if (query.ok && query.value.attributes.length) {
    const [body] = await renderGroups(deps, call, [changed.value], query.value);
    return { status: 200, body, etag: etagOf(changed.value.version) };
  }
  return { status: 204, etag: etagOf(changed.value.version) };
}

export async function deleteGroupOp(deps: ScimDeps, call: ScimCall, id: string): Promise<ScimOutcome> {
  const found = await deps.directory.getGroup(id);
  if (!found.ok) return notFound(id);
  const expected = writePreconditions(call, 'Group', found.value.version);
  if ('status' in expected) return expected;
  const deleted = await deps.directory.deleteGroup(call.ctx, id, expected);
  return deleted.ok ? { status: 204 } : failed(scimErrorOf(deleted.error));
}

export async function listGroupsOp(
  deps: ScimDeps,
  call: ScimCall,
  raw: Record<string, unknown>,
): Promise<ScimOutcome> {
  const parsed = parseListQuery(raw, deps.limits.maxResults);
  if (!parsed.ok) return failed(parsed.error);
  const page = await deps.directory.searchGroups(groupResourceSchemas, parsed.value);
  if (!page.ok) return failed(page.error);
  const resources = await renderGroups(deps, call, page.value.rows, parsed.value);
  return {
    status: 200,
    body: {
      schemas: [LIST_RESPONSE],
      totalResults: page.value.total,
      itemsPerPage: resources.length,
      startIndex: parsed.value.startIndex,
      Resources: resources,
    },
  };
}

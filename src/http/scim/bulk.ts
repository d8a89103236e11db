import type { ScimCall, ScimDeps } from './context.ts';
import { dispatch } from './dispatch.ts';
import { problem, type ScimOutcome } from './respond.ts';
import { prop } from './user-resource.ts';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:bulkrequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const REFERENCE = /^bulkId:(.+)$/;

interface Operation {
  index: number;
  method: string;
  bulkId: string | undefined;
  version: string | undefined;
  path: string;
  data: unknown;
}

/** Every `bulkId:x` string in the value (RFC 7644 §3.7.2), anywhere in the data. */
function references(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    const m = REFERENCE.exec(value);
    if (m?.[1]) into.add(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) references(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) references(v, into);
  }
  return into;
}

function substitute(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const m = REFERENCE.exec(value);
    return m?.[1] && ids.has(m[1]) ? ids.get(m[1]) : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, ids));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, ids)]));
  return value;
}

function parseOperations(body: unknown, max: number): Operation[] | ScimOutcome {
  const schemas = prop(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => String(s).toLowerCase() === BULK_REQUEST))
    return problem(400, 'invalidSyntax', `a Bulk body must list "${BULK_REQUEST}" in schemas`);
  const raw = prop(body, 'Operations');
  if (!Array.isArray(raw) || raw.length === 0)
    return problem(400, 'invalidSyntax', 'Operations must be a non-empty array');
  if (raw.length > max)
    return problem(413, undefined, `a Bulk request may hold at most ${max} operations; it has ${raw.length}`);
  const seen = new Set<string>();
  const operations: Operation[] = [];
  for (const [index, op] of raw.entries()) {
    const method = prop(op, 'method');
    const path = prop(op, 'path');
    const bulkId = prop(op, 'bulkId');
    const version = prop(op, 'version');
    if (typeof method !== 'string' || !/^(post|put|patch|delete)$/i.test(method))
      return problem(400, 'invalidValue', `Operations[${index}].method must be POST, PUT, PATCH or DELETE`);
    if (typeof path !== 'string' || !path.startsWith('/'))
      return problem(400, 'invalidValue', `Operations[${index}].path must be a path such as /Users`);
    if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === ''))
      return problem(400, 'invalidValue', `Operations[${index}].bulkId must be a non-empty string`);
    if (method.toUpperCase() === 'POST' && bulkId === undefined)
      return problem(400, 'invalidValue', `Operations[${index}] is a POST and needs a bulkId`);
    if (typeof bulkId === 'string') {
      if (seen.has(bulkId)) return problem(400, 'invalidValue', `bulkId "${bulkId}" is used twice`);
      seen.add(bulkId);
    }
    operations.push({
      index,
      method: method.toUpperCase(),
      bulkId: bulkId as string | undefined,
      version: typeof version === 'string' ? version : undefined,
      path,
      data: prop(op, 'data'),
    });
  }
  return operations;
}

/**
 * POST /Bulk (RFC 7644 §3.7). Operations run one by one through the same handlers as single requests.
 * An operation referring to a bulkId created later in the request waits until that one ran, so
 * order in the request does not matter; references that never resolve (a cycle, a failed or unknown
 * bulkId) fail with 409. failOnErrors stops processing after that many failures.
 */
export async function bulkOp(deps: ScimDeps, call: ScimCall): Promise<ScimOutcome> {
  const operations = parseOperations(call.body, deps.limits.bulkMaxOperations);
  if (!Array.isArray(operations)) return operations;
  const failOnErrors = prop(call.body, 'failOnErrors');
  if (
    failOnErrors !== undefined &&
    failOnErrors !== null &&
    (!Number.isInteger(failOnErrors) || (failOnErrors as number) < 1)
  )
    return problem(400, 'invalidValue', 'failOnErrors must be a positive integer or null');
  const maxErrors = (failOnErrors as number | null | undefined) ?? Number.POSITIVE_INFINITY;
  const created = new Map<string, string>();
  const failedIds = new Set<string>();
  const declared = new Set(operations.map((o) => o.bulkId).filter((b): b is string => b !== undefined));
  const results: Array<{ index: number; entry: Record<string, unknown> }> = [];
  let errors = 0;
  let pending = operations;
  while (pending.length > 0 && errors < maxErrors) {
    const waiting: Operation[] = [];
    for (const op of pending) {
      if (errors >= maxErrors) break;
      const refs = [...references([op.path, op.data])];
      const unresolved = refs.filter((r) => !created.has(r));
      const blocked = unresolved.filter((r) => declared.has(r) && !failedIds.has(r) && r !== op.bulkId);
      let outcome: ScimOutcome;
      if (blocked.length > 0) {
        waiting.push(op);
        continue;
      }
      if (unresolved.length > 0) {
        outcome = problem(
          409,
          'invalidValue',
          `bulkId "${unresolved[0]}" does not name an operation that succeeded`,
        );
      } else {
        const segments =
          (substitute(op.path, created) as string).split('?')[0]?.split('/').filter(Boolean) ?? [];
        const result = await dispatch(
          deps,
          {
            ...call,
            query: {},
            body: substitute(op.data, created),
            ifMatch: op.version,
            ifNoneMatch: undefined,
          },
          op.method,
          segments,
        );
        outcome =
          result === 'method'
            ? problem(405, undefined, `${op.method} is not supported on ${op.path}`)
            : result;
      }
      if (outcome.status >= 400) {
        errors++;
        if (op.bulkId) failedIds.add(op.bulkId);
      } else if (op.bulkId && op.method === 'POST') {
        const id = (outcome.body as { id?: unknown } | undefined)?.id;
        if (typeof id === 'string') created.set(op.bulkId, id);
      }
      // RFC 7644 §3.7: location is required in every answer but a failed POST.
      if (!outcome.location && op.method !== 'POST')
        outcome = {
          ...outcome,
          location: `${call.baseUrl}${(substitute(op.path, created) as string).split('?')[0]}`,
        };
      results.push({ index: op.index, entry: entryOf(op, outcome) });
    }
    if (waiting.length === pending.length) {
      // No progress: the remaining operations wait on each other.
      for (const op of waiting) {
        if (errors >= maxErrors) break;
        errors++;
        if (op.bulkId) failedIds.add(op.bulkId);
        results.push({
          index: op.index,
          entry: entryOf(op, {
            ...problem(409, 'invalidValue', 'circular bulkId references cannot be resolved'),
            ...(op.method === 'POST' ? {} : { location: `${call.baseUrl}${op.path.split('?')[0]}` }),
          }),
        });
      }
      break;
    }
    pending = waiting;
  }
  results.sort((a, b) => a.index - b.index);
  return { status: 200, body: { schemas: [BULK_RESPONSE], Operations: results.map((r) => r.entry) } };
}

function entryOf(op: Operation, outcome: ScimOutcome): Record<string, unknown> {
  return {
    method: op.method,
    ...(op.bulkId ? { bulkId: op.bulkId } : {}),
    ...(outcome.etag ? { version: outcome.etag } : {}),
    ...(outcome.location ? { location: outcome.location } : {}),
    status: String(outcome.status),
    ...(outcome.status >= 400 ? { response: outcome.body } : {}),
  };
}

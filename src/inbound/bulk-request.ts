import { err, failure, ok, type Result } from '../core/index.ts';
import type { IncomingRecord } from './runs.ts';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:bulkrequest';

/** A key of `obj` in any letter case (Entra and HR clients are inconsistent about `Operations`). */
function pick(obj: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const bad = (message: string, details: Record<string, unknown> = {}) =>
  err<IncomingRecord[]>(failure('inbound.invalid_request', message, details));

/**
 * Reads a SCIM BulkRequest the way Entra's API-driven provisioning does: every operation is a POST to
 * /Users meaning "create or update the person matched by the source's matching attributes". Structural
 * problems reject the whole request (nothing is stored); a record's content is judged later, alone.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): Result<IncomingRecord[]> {
  if (!isObject(body)) return bad('the body must be a SCIM BulkRequest object');
  const schemas = pick(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST)
  ) {
    return bad(
      'not a SCIM BulkRequest: "schemas" must include urn:ietf:params:scim:api:messages:2.0:BulkRequest',
    );
  }
  const failOnErrors = pick(body, 'failOnErrors');
  if (
    failOnErrors !== undefined &&
    failOnErrors !== null &&
    !(Number.isInteger(failOnErrors) && (failOnErrors as number) >= 0)
  ) {
    return bad('"failOnErrors" must be null or a non-negative integer');
  }
  const operations = pick(body, 'Operations');
  if (!Array.isArray(operations)) return bad('"Operations" must be an array of operations');
  if (operations.length === 0) return bad('"Operations" is empty: send at least one operation');
  if (operations.length > maxOperations) {
    return err(
      failure(
        'inbound.too_many_operations',
        `the request carries ${operations.length} operations; at most ${maxOperations} are accepted per bulkUpload`,
        { operations: operations.length, maxOperations },
      ),
    );
  }
  const records: IncomingRecord[] = [];
  for (const [index, op] of operations.entries()) {
    const where = `Operations[${index}]`;
    if (!isObject(op)) return bad(`${where} must be an object`, { operation: index });
    const method = pick(op, 'method');
    if (typeof method !== 'string' || method.toUpperCase() !== 'POST') {
      return bad(
        `${where}: method must be POST (bulkUpload creates or updates users; got ${JSON.stringify(method ?? null)})`,
        {
          operation: index,
        },
      );
    }
    const path = pick(op, 'path');
    if (typeof path !== 'string' || !/^\/?users$/i.test(path.trim())) {
      return bad(`${where}: path must be /Users (got ${JSON.stringify(path ?? null)})`, { operation: index });
    }
    const data = pick(op, 'data');
    if (!isObject(data)) return bad(`${where}: data must be a SCIM User object`, { operation: index });
    const bulkId = pick(op, 'bulkId');
    if (bulkId !== undefined && bulkId !== null && typeof bulkId !== 'string') {
      return bad(`${where}: bulkId must be a string`, { operation: index });
    }
    records.push({ bulkId: (bulkId as string | undefined) ?? null, data });
  }
  return ok(records);
}

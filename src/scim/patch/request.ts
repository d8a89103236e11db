/**
 * Parses and validates a PatchOp message (RFC 7644 §3.5.2) into a list of operations. Only the envelope
 * is checked here; paths and values are checked against the schemas when each operation is applied.
 */
import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import { getAttr, isObject } from './values.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  /** The path text, or null for a pathless operation (absent, null or blank). */
  path: string | null;
  /** `value`; `hasValue` separates an explicit `null` (clear) from an absent member. */
  value: unknown;
  hasValue: boolean;
  /** Position in `Operations`, for error details. */
  index: number;
}

const OPS: readonly PatchOpName[] = ['add', 'replace', 'remove'];

/** Echoes client text in a detail without letting a huge or multi-line string through. */
export function quote(text: string): string {
  const short = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return JSON.stringify(short);
}

export function parsePatchRequest(body: unknown): ScimResult<PatchOperation[]> {
  if (!isObject(body)) return scimErr(400, 'invalidSyntax', 'the PATCH body must be a PatchOp JSON object');
  const schemas = getAttr(body, 'schemas');
  const declared =
    Array.isArray(schemas) &&
    schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase());
  if (!declared) return scimErr(400, 'invalidSyntax', `"schemas" must contain "${PATCH_OP_SCHEMA}"`);
  // Attribute names are case-insensitive (RFC 7643 §2.1); some clients send "operations".
  const operations = getAttr(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    return scimErr(400, 'invalidSyntax', '"Operations" must be a non-empty array');
  }
  if (operations.length > MAX_OPERATIONS) {
    return scimErr(400, 'invalidSyntax', `a PATCH request may carry at most ${MAX_OPERATIONS} operations`);
  }
  const parsed: PatchOperation[] = [];
  for (const [index, raw] of operations.entries()) {
    const operation = parseOperation(raw, index);
    if (!operation.ok) return operation;
    parsed.push(operation.value);
  }
  return scimOk(parsed);
}

function parseOperation(raw: unknown, index: number): ScimResult<PatchOperation> {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) return scimErr(400, 'invalidSyntax', `${where} must be an object`);
  const opText = getAttr(raw, 'op');
  if (typeof opText !== 'string') return scimErr(400, 'invalidSyntax', `${where}: "op" must be a string`);
  // Entra sends "Add", "Replace", "Remove"; the RFC spells them in lower case.
  const op = OPS.find((o) => o === opText.toLowerCase());
  if (!op) {
    return scimErr(
      400,
      'invalidSyntax',
      `${where}: unknown op ${quote(opText)} (expected add, replace or remove)`,
    );
  }
  const pathValue = getAttr(raw, 'path');
  if (pathValue !== undefined && pathValue !== null && typeof pathValue !== 'string') {
    return scimErr(400, 'invalidSyntax', `${where}: "path" must be a string`);
  }
  const path = typeof pathValue === 'string' && pathValue.trim() !== '' ? pathValue.trim() : null;
  const value = getAttr(raw, 'value');
  const hasValue = value !== undefined;
  if (op === 'remove' && path === null) {
    return scimErr(400, 'noTarget', `${where}: "remove" requires a "path"`);
  }
  if (op !== 'remove' && !hasValue) {
    return scimErr(400, 'invalidValue', `${where}: "${op}" requires a "value"`);
  }
  return scimOk({ op, path, value, hasValue, index });
}

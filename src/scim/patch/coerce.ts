/**
 * Checks PATCH values against attribute definitions (RFC 7643 §2.3) and converts the few lenient forms
 * real clients send: Entra writes booleans as "True"/"False" and a manager as a bare id string.
 * The output uses the schema's spelling of every sub-attribute and is always a fresh value, never a
 * reference into the request body.
 */
import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import type { AttributeDefinition } from '../schema-types.ts';
import { findAttribute } from '../schema-types.ts';
import { isDateTime } from './datetime.ts';
import { isObject, type JsonObject, putOwn } from './values.ts';

const invalid = (where: string, expected: string) =>
  scimErr(400, 'invalidValue', `invalid value for "${where}": expected ${expected}`);

/**
 * A whole attribute value: for a multi-valued attribute an array (a single element is wrapped, as
 * Entra and others send one object where an array is due), otherwise one value. Elements that are
 * empty once unknown and read-only sub-attributes are dropped are left out.
 */
export function coerceValue(
  definition: AttributeDefinition,
  raw: unknown,
  where: string,
): ScimResult<unknown> {
  if (!definition.multiValued) return coerceElement(definition, raw, where);
  const elements = Array.isArray(raw) ? raw : [raw];
  const out: unknown[] = [];
  for (const [i, element] of elements.entries()) {
    if (element === null) return invalid(`${where}[${i}]`, 'a value, not null');
    const coerced = coerceElement(definition, element, `${where}[${i}]`);
    if (!coerced.ok) return coerced;
    if (isObject(coerced.value) && Object.keys(coerced.value).length === 0) continue;
    out.push(coerced.value);
  }
  return scimOk(out);
}

/**
 * One value of the attribute, ignoring multiValued. In a complex value, an explicit null sub-attribute
 * is kept as null: merging it clears that sub-attribute.
 */
export function coerceElement(
  definition: AttributeDefinition,
  raw: unknown,
  where: string,
): ScimResult<unknown> {
  switch (definition.type) {
    case 'string':
    case 'reference':
      return typeof raw === 'string' ? scimOk(raw) : invalid(where, 'a string');
    case 'boolean':
      if (typeof raw === 'boolean') return scimOk(raw);
      if (typeof raw === 'string' && ['true', 'false'].includes(raw.toLowerCase())) {
        return scimOk(raw.toLowerCase() === 'true');
      }
      return invalid(where, 'a boolean');
    case 'integer':
      return typeof raw === 'number' && Number.isInteger(raw) ? scimOk(raw) : invalid(where, 'an integer');
    case 'decimal':
      return typeof raw === 'number' && Number.isFinite(raw) ? scimOk(raw) : invalid(where, 'a number');
    case 'dateTime':
      return typeof raw === 'string' && isDateTime(raw)
        ? scimOk(raw)
        : invalid(where, 'an ISO 8601 date-time');
    case 'complex':
      return coerceComplex(definition, raw, where);
  }
}

function coerceComplex(definition: AttributeDefinition, raw: unknown, where: string): ScimResult<unknown> {
  // `"value": "<id>"` for manager: the string stands for the `value` sub-attribute.
  const source =
    typeof raw === 'string' && findAttribute(definition.subAttributes, 'value') ? { value: raw } : raw;
  if (!isObject(source)) return invalid(where, 'an object');
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(source)) {
    const sub = findAttribute(definition.subAttributes, key);
    // Unknown sub-attributes are not stored; read-only ones are the server's and echoed back by clients.
    if (!sub || sub.mutability === 'readOnly') continue;
    if (member === null) {
      putOwn(out, sub.name, null);
      continue;
    }
    const coerced = coerceValue(sub, member, `${where}.${sub.name}`);
    if (!coerced.ok) return coerced;
    putOwn(out, sub.name, coerced.value);
  }
  return scimOk(out);
}

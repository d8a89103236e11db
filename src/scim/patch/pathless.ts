/**
 * Pathless add/replace (RFC 7644 §3.5.2.1, §3.5.2.3: "the value MUST be a JSON object containing the
 * attributes to be added/replaced"), and paths that name a whole schema object. Keys are resolved like
 * paths, so Entra's `name.givenName` and `urn:...:enterprise:2.0:User:employeeNumber` keys work, but a
 * key the schemas do not know is ignored: clients send attributes this server does not store.
 */
import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import { findSchema } from '../resource-schemas.ts';
import type { SchemaDefinition } from '../schema-types.ts';
import { applyToTarget, containerOf, type PatchContext } from './ops.ts';
import { resolveTarget } from './target.ts';
import { deleteAttr, getAttr, isObject, isUnassigned, type JsonObject } from './values.ts';

type Done = ScimResult<void>;
const done: Done = scimOk(undefined);

export function applyPathless(ctx: PatchContext, op: 'add' | 'replace', value: unknown): Done {
  if (!isObject(value)) return scimErr(400, 'invalidValue', `a pathless "${op}" needs an object value`);
  return applyMembers({ ...ctx, mode: 'pathless' }, op, value, null);
}

/**
 * `{"op":"add","path":"urn:...:enterprise:2.0:User","value":{...}}` (or the same object under the URN
 * key of a pathless value) merges into that schema's attributes; remove or null drops the whole object.
 */
export function applyToSchema(
  ctx: PatchContext,
  op: 'add' | 'replace' | 'remove',
  schema: SchemaDefinition,
  value: unknown,
): Done {
  if (op === 'remove' || value === null) return removeSchema(ctx, schema);
  if (!isObject(value)) return scimErr(400, 'invalidValue', `the value for "${schema.id}" must be an object`);
  return applyMembers({ ...ctx, mode: 'pathless' }, op, value, schema);
}

function removeSchema(ctx: PatchContext, schema: SchemaDefinition): Done {
  const container = containerOf(ctx.resource, schema, ctx.schemas, false);
  if (!container) return done;
  const required = schema.attributes.find((a) => a.required && !isUnassigned(getAttr(container, a.name)));
  if (schema === ctx.schemas.core || required) {
    return scimErr(400, 'mutability', `"${schema.id}" holds required attributes and cannot be removed`);
  }
  deleteAttr(ctx.resource, schema.id);
  return done;
}

function applyMembers(
  ctx: PatchContext,
  op: 'add' | 'replace',
  value: JsonObject,
  scope: SchemaDefinition | null,
) {
  for (const [key, member] of Object.entries(value)) {
    const applied = applyMember(ctx, op, key, member, scope);
    if (!applied.ok) return applied;
  }
  return done;
}

function applyMember(
  ctx: PatchContext,
  op: 'add' | 'replace',
  key: string,
  member: unknown,
  scope: SchemaDefinition | null,
): Done {
  if (scope === null) {
    const lower = key.toLowerCase();
    // `schemas` follows from the extension objects present; `meta` is the server's.
    if (lower === 'schemas' || lower === 'meta') return done;
    // Echoing the id back is harmless; trying to change it is a client bug worth reporting.
    if (lower === 'id') {
      const same = member === getAttr(ctx.resource, 'id');
      return same ? done : scimErr(400, 'mutability', '"id" is read-only');
    }
    const schema = findSchema(ctx.schemas, key);
    if (schema) return applyToSchema(ctx, op, schema, member);
  }
  // Inside `{"urn:...:enterprise:2.0:User": {...}}` a key names an attribute of that schema only.
  const target = resolveTarget(ctx.schemas, scope ? `${scope.id}:${key}` : key);
  if (!target.ok) return done;
  if (target.value.kind === 'schema') {
    return scope ? done : applyToSchema(ctx, op, target.value.schema, member);
  }
  return applyToTarget(ctx, op, target.value, member);
}

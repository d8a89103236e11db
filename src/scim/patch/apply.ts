/**
 * The SCIM PATCH entry point (RFC 7644 §3.5.2). Operations apply in order to a private deep copy;
 * the first failure fails the whole request and the input resource is never touched.
 */
import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import { allSchemas, type ResourceSchemas } from '../resource-schemas.ts';
import { findAttribute } from '../schema-types.ts';
import { applyToTarget, containerOf, type PatchContext } from './ops.ts';
import { applyPathless, applyToSchema } from './pathless.ts';
import { type PatchOperation, parsePatchRequest, quote } from './request.ts';
import { resolveTarget } from './target.ts';
import { cloneJson, deleteAttr, findKey, getAttr, isObject, type JsonObject, setAttr } from './values.ts';

/** SCIM JSON: core attributes at the top, each extension as an object under its schema URN. */
export type ScimResource = Record<string, unknown>;

export function applyPatch(
  resource: ScimResource,
  body: unknown,
  schemas: ResourceSchemas,
): ScimResult<ScimResource> {
  const operations = parsePatchRequest(body);
  if (!operations.ok) return operations;
  const copy = cloneJson(resource);
  const working: JsonObject = isObject(copy) ? copy : {};
  const ctx: PatchContext = { resource: working, schemas, mode: 'path', promoted: new Set() };
  for (const operation of operations.value) {
    ctx.promoted.clear();
    const applied = applyOperation(ctx, operation);
    const checked = applied.ok ? settlePrimary(ctx) : applied;
    if (!checked.ok) {
      const where = `Operations[${operation.index}] (${operation.op}${operation.path ? ` ${quote(operation.path)}` : ''})`;
      return scimErr(checked.error.status, checked.error.scimType, `${where}: ${checked.error.detail}`);
    }
  }
  syncSchemas(working, resource, schemas);
  return scimOk(working);
}

function applyOperation(ctx: PatchContext, { op, path, value }: PatchOperation): ScimResult<void> {
  if (path === null)
    return op === 'remove' ? scimErr(400, 'noTarget', 'remove needs a path') : applyPathless(ctx, op, value);
  const target = resolveTarget(ctx.schemas, path);
  if (!target.ok) return target;
  if (target.value.kind === 'schema') return applyToSchema(ctx, op, target.value.schema, value);
  return applyToTarget(ctx, op, target.value, value);
}

/** The lists of every multi-valued attribute with a `primary` sub-attribute (emails, phoneNumbers...). */
function primaryLists(ctx: PatchContext): unknown[][] {
  const lists: unknown[][] = [];
  for (const schema of allSchemas(ctx.schemas)) {
    const container = containerOf(ctx.resource, schema, ctx.schemas, false);
    if (!container) continue;
    for (const attribute of schema.attributes) {
      if (!attribute.multiValued || !findAttribute(attribute.subAttributes, 'primary')) continue;
      const list = getAttr(container, attribute.name);
      if (Array.isArray(list)) lists.push(list);
    }
  }
  return lists;
}

const isPrimary = (element: unknown) => isObject(element) && getAttr(element, 'primary') === true;

/**
 * RFC 7643 §2.4: at most one value may be primary. An element the operation made primary wins and the
 * others are set to false; an operation that made two primary at once is rejected.
 */
function settlePrimary(ctx: PatchContext): ScimResult<void> {
  for (const list of primaryLists(ctx)) {
    const fresh = list.filter((e) => ctx.promoted.has(e) && isPrimary(e));
    if (fresh.length > 1)
      return scimErr(400, 'invalidValue', 'at most one value of a multi-valued attribute may be primary');
    if (fresh.length === 0) continue;
    for (const element of list)
      if (isObject(element) && element !== fresh[0] && isPrimary(element)) setAttr(element, 'primary', false);
  }
  return scimOk(undefined);
}

/**
 * Keeps `schemas` in line with the extension objects (RFC 7643 §3: it lists the schemas the resource
 * carries): a new extension object adds its URN, an extension emptied or removed by the patch goes.
 */
function syncSchemas(working: JsonObject, original: ScimResource, schemas: ResourceSchemas): void {
  const declared = getAttr(working, 'schemas');
  let list: unknown[] | null = Array.isArray(declared) ? [...declared] : null;
  const has = (uri: string) =>
    (list ?? []).some((s) => typeof s === 'string' && s.toLowerCase() === uri.toLowerCase());
  for (const extension of schemas.extensions) {
    const key = findKey(working, extension.id);
    const value = key === undefined ? undefined : working[key];
    if (isObject(value) && Object.keys(value).length > 0) {
      if (!has(extension.id)) list = [...(list ?? [schemas.core.id]), extension.id];
      continue;
    }
    if (isObject(value)) deleteAttr(working, extension.id);
    const hadIt = value !== undefined || findKey(original, extension.id) !== undefined;
    if (hadIt && list && has(extension.id)) {
      list = list.filter((s) => typeof s !== 'string' || s.toLowerCase() !== extension.id.toLowerCase());
    }
  }
  if (list) setAttr(working, 'schemas', list);
}

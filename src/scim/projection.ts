import type { ResourceSchemas } from './resource-schemas.ts';
import { allSchemas } from './resource-schemas.ts';
import type { AttributeDefinition } from './schema-types.ts';
import { commonAttributes } from './schemas/common.ts';

export type ScimObject = Record<string, unknown>;

export interface Projection {
  attributes: string[];
  excludedAttributes: string[];
}

interface Target {
  container: string | null;
  attribute: string;
  sub: string | null;
}

/** `urn:...:User:manager.value` → container urn, attribute manager, sub value (lower-cased). */
function target(path: string, schemas: ResourceSchemas): Target | null {
  const lower = path.toLowerCase();
  for (const s of allSchemas(schemas)) {
    const id = s.id.toLowerCase();
    if (lower === id) return { container: s === schemas.core ? null : id, attribute: '', sub: null };
    if (lower.startsWith(`${id}:`)) {
      const [attribute = '', sub = null] = lower.slice(id.length + 1).split('.', 2);
      return { container: s === schemas.core ? null : id, attribute, sub };
    }
  }
  if (lower.startsWith('urn:')) return null;
  const [attribute = '', sub = null] = lower.split('.', 2);
  const inCore = [...commonAttributes, ...schemas.core.attributes].some(
    (a) => a.name.toLowerCase() === attribute,
  );
  if (inCore) return { container: null, attribute, sub };
  const ext = schemas.extensions.find((e) => e.attributes.some((a) => a.name.toLowerCase() === attribute));
  return { container: ext ? ext.id.toLowerCase() : null, attribute, sub };
}

function definitionsOf(container: string | null, schemas: ResourceSchemas): AttributeDefinition[] {
  if (container === null) return [...commonAttributes, ...schemas.core.attributes];
  return schemas.extensions.find((e) => e.id.toLowerCase() === container)?.attributes ?? [];
}

/**
 * Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) and the `returned` characteristic
 * (RFC 7643 §7): `always` survives both lists, `never` never leaves, `request` only when asked for.
 */
export function project(resource: ScimObject, schemas: ResourceSchemas, projection: Projection): ScimObject {
  // Resources are rendered with their default attributes only (never `never`, `request` ones only
  // when asked for), so without either list there is nothing to take away: the common case is free.
  if (projection.attributes.length === 0 && projection.excludedAttributes.length === 0) return resource;
  const wanted = projection.attributes.map((p) => target(p, schemas)).filter((t): t is Target => t !== null);
  const excluded = projection.excludedAttributes
    .map((p) => target(p, schemas))
    .filter((t): t is Target => t !== null);
  const listed = (list: Target[], container: string | null, attribute: string) =>
    list.filter((t) => t.container === container && (t.attribute === '' || t.attribute === attribute));

  const projectContainer = (source: ScimObject, container: string | null): ScimObject => {
    const out: ScimObject = {};
    const defs = definitionsOf(container, schemas);
    for (const [key, value] of Object.entries(source)) {
      const def = defs.find((d) => d.name.toLowerCase() === key.toLowerCase());
      if (!def) continue;
      if (def.returned === 'never') continue;
      if (def.returned === 'always') {
        out[key] = value;
        continue;
      }
      const asked = listed(wanted, container, key.toLowerCase());
      if (wanted.length > 0) {
        if (asked.length === 0) continue;
        const subs = asked.filter((t) => t.sub !== null).map((t) => t.sub as string);
        out[key] = asked.some((t) => t.sub === null) || subs.length === 0 ? value : pickSubs(value, subs);
        continue;
      }
      if (def.returned === 'request') continue;
      const dropped = listed(excluded, container, key.toLowerCase());
      if (dropped.some((t) => t.sub === null)) continue;
      const subs = dropped.map((t) => t.sub as string);
      out[key] = subs.length ? omitSubs(value, subs) : value;
    }
    return out;
  };

  const out: ScimObject = { schemas: resource.schemas, ...projectContainer(resource, null) };
  const extensionIds = schemas.extensions.map((e) => e.id);
  for (const id of extensionIds) {
    const value = resource[id];
    if (typeof value !== 'object' || value === null) continue;
    const projected = projectContainer(value as ScimObject, id.toLowerCase());
    if (Object.keys(projected).length > 0) out[id] = projected;
  }
  // Keep `schemas` truthful: list only the extensions still present.
  out.schemas = (resource.schemas as string[]).filter((s) => s === schemas.core.id || s in out);
  return out;
}

function mapObjects(value: unknown, fn: (o: ScimObject) => ScimObject): unknown {
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'object' && v !== null ? fn(v as ScimObject) : v));
  return typeof value === 'object' && value !== null ? fn(value as ScimObject) : value;
}

function pickSubs(value: unknown, subs: string[]): unknown {
  return mapObjects(value, (o) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => subs.includes(k.toLowerCase()))),
  );
}

function omitSubs(value: unknown, subs: string[]): unknown {
  return mapObjects(value, (o) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !subs.includes(k.toLowerCase()))),
  );
}

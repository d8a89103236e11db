import { type ScimResult, scimErr, scimOk } from './errors.ts';
import type { AttrPath } from './filter/ast.ts';
import type { AttributeDefinition, SchemaDefinition } from './schema-types.ts';
import { findAttribute } from './schema-types.ts';
import { commonAttributes } from './schemas/common.ts';

/** The schemas of one resource type: its core schema and the extensions it carries. */
export interface ResourceSchemas {
  resourceType: string;
  endpoint: string;
  core: SchemaDefinition;
  extensions: SchemaDefinition[];
}

/** Where a path lands: an attribute (and maybe its sub-attribute), or a whole extension schema. */
export type Resolved =
  | {
      kind: 'attribute';
      schema: SchemaDefinition;
      attribute: AttributeDefinition;
      sub: AttributeDefinition | null;
    }
  | { kind: 'extension'; schema: SchemaDefinition };

const sameUri = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function allSchemas(schemas: ResourceSchemas): SchemaDefinition[] {
  return [schemas.core, ...schemas.extensions];
}

export function findSchema(schemas: ResourceSchemas, uri: string): SchemaDefinition | undefined {
  return allSchemas(schemas).find((s) => sameUri(s.id, uri));
}

/** Attributes of the core schema plus id, externalId and meta (RFC 7643 §3.1). */
function coreAttributes(schemas: ResourceSchemas): AttributeDefinition[] {
  return [...commonAttributes, ...schemas.core.attributes];
}

/**
 * Resolves a filter or PATCH path, case-insensitively (RFC 7643 §2.1). An unqualified name is looked up
 * in the core schema first, then in the extensions: clients such as Entra send `employeeNumber`
 * unqualified, and no extension attribute name here shadows a core one.
 */
export function resolvePath(
  schemas: ResourceSchemas,
  path: AttrPath,
  kind: 'filter' | 'path',
): ScimResult<Resolved> {
  const scimType = kind === 'filter' ? 'invalidFilter' : 'invalidPath';
  const describe = (p: AttrPath) => `${p.uri ? `${p.uri}:` : ''}${p.name}${p.subAttr ? `.${p.subAttr}` : ''}`;
  let schema: SchemaDefinition | undefined;
  let attribute: AttributeDefinition | undefined;
  if (path.uri !== null) {
    schema = findSchema(schemas, path.uri);
    if (!schema) {
      const whole = findSchema(schemas, `${path.uri}:${path.name}`);
      if (whole && path.subAttr === null) return scimOk({ kind: 'extension', schema: whole });
      return scimErr(400, scimType, `unknown schema "${path.uri}" in "${describe(path)}"`);
    }
    attribute = findAttribute(
      schema === schemas.core ? coreAttributes(schemas) : schema.attributes,
      path.name,
    );
  } else {
    attribute = findAttribute(coreAttributes(schemas), path.name);
    schema = schemas.core;
    if (!attribute) {
      for (const extension of schemas.extensions) {
        attribute = findAttribute(extension.attributes, path.name);
        if (attribute) {
          schema = extension;
          break;
        }
      }
    }
  }
  if (!attribute)
    return scimErr(400, scimType, `unknown attribute "${describe(path)}" for ${schemas.resourceType}`);
  if (path.subAttr === null) return scimOk({ kind: 'attribute', schema, attribute, sub: null });
  const sub = findAttribute(attribute.subAttributes, path.subAttr);
  if (!sub) {
    return scimErr(400, scimType, `unknown sub-attribute "${path.subAttr}" of "${attribute.name}"`);
  }
  return scimOk({ kind: 'attribute', schema, attribute, sub });
}

/** Sub-attribute lookup for paths inside a value filter such as `emails[type eq "work"]`. */
export function resolveSubAttribute(
  parent: AttributeDefinition,
  path: AttrPath,
  kind: 'filter' | 'path',
): ScimResult<AttributeDefinition> {
  const scimType = kind === 'filter' ? 'invalidFilter' : 'invalidPath';
  if (path.uri !== null || path.subAttr !== null) {
    return scimErr(
      400,
      scimType,
      `"${path.name}" inside "${parent.name}[...]" must be a plain sub-attribute name`,
    );
  }
  const sub = findAttribute(parent.subAttributes, path.name);
  if (!sub) return scimErr(400, scimType, `unknown sub-attribute "${path.name}" of "${parent.name}"`);
  return scimOk(sub);
}

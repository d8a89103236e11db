/**
 * Turns a PATCH path (`emails[type eq "work"].value`, `urn:...:enterprise:2.0:User:manager`) into the
 * schema objects it designates. A path the schemas cannot resolve is an error (invalidPath), unlike an
 * unknown key inside a pathless value, which the caller ignores.
 */

import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import type { Filter } from '../filter/ast.ts';
import { parsePatchPath } from '../filter/index.ts';
import { type ResourceSchemas, resolvePath, resolveSubAttribute } from '../resource-schemas.ts';
import type { AttributeDefinition, SchemaDefinition } from '../schema-types.ts';
import { compileFilter, type Matcher } from './match.ts';

export interface AttributeTarget {
  kind: 'attribute';
  schema: SchemaDefinition;
  attribute: AttributeDefinition;
  /** The sub-attribute after a dot, either `name.givenName` or `emails[...].value`. */
  sub: AttributeDefinition | null;
  filter: { ast: Filter; matches: Matcher } | null;
  /** Canonical spelling for error details. */
  label: string;
}

/** A path naming a whole schema, e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. */
export interface SchemaTarget {
  kind: 'schema';
  schema: SchemaDefinition;
  label: string;
}

export type Target = AttributeTarget | SchemaTarget;

export function resolveTarget(schemas: ResourceSchemas, text: string): ScimResult<Target> {
  const parsed = parsePatchPath(text);
  if (!parsed.ok) return parsed;
  const { attr, filter, subAttr } = parsed.value;
  const resolved = resolvePath(schemas, attr, 'path');
  if (!resolved.ok) return resolved;
  if (resolved.value.kind === 'extension') {
    const schema = resolved.value.schema;
    if (filter || subAttr)
      return scimErr(400, 'invalidPath', `"${schema.id}" names a schema, not an attribute`);
    return scimOk({ kind: 'schema', schema, label: schema.id });
  }
  const { schema, attribute } = resolved.value;
  let sub = resolved.value.sub;
  if (subAttr !== null) {
    if (sub) return scimErr(400, 'invalidPath', `"${text}" names a sub-attribute of a sub-attribute`);
    const found = resolveSubAttribute(attribute, { uri: null, name: subAttr, subAttr: null }, 'path');
    if (!found.ok) return found;
    sub = found.value;
  }
  const label = `${attribute.name}${filter ? '[...]' : ''}${sub ? `.${sub.name}` : ''}`;
  if (!filter) return scimOk({ kind: 'attribute', schema, attribute, sub, filter: null, label });
  if (!attribute.multiValued || attribute.type !== 'complex') {
    return scimErr(
      400,
      'invalidPath',
      `"${attribute.name}" is not a multi-valued complex attribute: no value filter`,
    );
  }
  const matches = compileFilter(filter, attribute);
  if (!matches.ok) return matches;
  return scimOk({
    kind: 'attribute',
    schema,
    attribute,
    sub,
    filter: { ast: filter, matches: matches.value },
    label,
  });
}

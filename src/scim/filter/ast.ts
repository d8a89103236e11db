/**
 * The SCIM filter and PATCH path syntax tree (RFC 7644 §3.4.2.2, §3.5.2). Names keep the spelling the
 * client used; resolving them against a schema (case-insensitively) is a separate step.
 */

/** `urn:...:User:name.givenName` → { uri: 'urn:...:User', name: 'name', subAttr: 'givenName' }. */
export interface AttrPath {
  uri: string | null;
  name: string;
  subAttr: string | null;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompareValue = string | number | boolean | null;

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompareValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /**
   * `emails[type eq "work"]`: `path` names the multi-valued attribute (subAttr null); the paths inside
   * `filter` are its sub-attributes (uri null, subAttr null).
   */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/**
 * A PATCH target: `members[value eq "x"]`, `emails[type eq "work"].value`, `name.givenName`,
 * `urn:...:enterprise:2.0:User:manager`. When `filter` is set, `attr.subAttr` is null and `subAttr`
 * names the sub-attribute after the bracket (if any).
 */
export interface PatchPath {
  attr: AttrPath;
  filter: Filter | null;
  subAttr: string | null;
}

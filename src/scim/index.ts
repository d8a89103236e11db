export { resourceTypeDocument, schemaDocument, serviceProviderConfig } from './discovery.ts';
export * from './errors.ts';
export { scimErrorOf } from './failure.ts';
export type { AttrPath, CompareOp, CompareValue, Filter, PatchPath } from './filter/ast.ts';
export { formatFilter, parseFilter, parsePatchPath } from './filter/index.ts';
export { filterNames } from './filter-names.ts';
export { normaliseInstant } from './instant.ts';
export { LIST_RESPONSE, type ListQuery, parseListQuery, SEARCH_REQUEST } from './list-query.ts';
export { applyPatch, parsePatchRequest, type ScimResource } from './patch/index.ts';
export { type Projection, project } from './projection.ts';
export {
  allSchemas,
  findSchema,
  type Resolved,
  type ResourceSchemas,
  resolvePath,
  resolveSubAttribute,
} from './resource-schemas.ts';
export * from './schema-types.ts';
export * from './schemas/index.ts';

/** SCIM PATCH (RFC 7644 §3.5.2) over in-memory SCIM JSON resources. */
export { applyPatch, type ScimResource } from './apply.ts';
export { compileFilter, type Matcher } from './match.ts';
export { MAX_OPERATIONS, PATCH_OP_SCHEMA, type PatchOperation, parsePatchRequest } from './request.ts';

export type { AttrPath, CompareOp, CompareValue, Filter, PatchPath } from './ast.ts';
export { formatAttrPath, formatFilter, formatValue } from './format.ts';
export { parseFilter } from './parse.ts';
export { parsePatchPath } from './path.ts';

import { type ScimResult, scimErr, scimOk } from './errors.ts';
import type { AttrPath } from './filter/ast.ts';
import { parsePatchPath } from './filter/index.ts';

/** A plain attribute path (no value filter), as sortBy takes. */
export function parseAttrPathText(text: string): ScimResult<AttrPath> {
  const parsed = parsePatchPath(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.filter) return scimErr(400, 'invalidValue', `"${text}" must not contain a value filter`);
  return scimOk(parsed.value.attr);
}

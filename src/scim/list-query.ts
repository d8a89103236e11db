import { parseAttrPathText } from './attr-path.ts';
import { type ScimResult, scimErr, scimOk } from './errors.ts';
import type { AttrPath, Filter } from './filter/ast.ts';
import { parseFilter } from './filter/index.ts';
import type { Projection } from './projection.ts';

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface ListQuery extends Projection {
  filter: Filter | null;
  sortBy: AttrPath | null;
  sortOrder: 'ascending' | 'descending';
  startIndex: number;
  count: number;
}

type Raw = Record<string, unknown>;

const get = (raw: Raw, name: string): unknown =>
  Object.entries(raw).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

function integer(raw: Raw, name: string): ScimResult<number | undefined> {
  const v = get(raw, name);
  if (v === undefined || v === '') return scimOk(undefined);
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())
        ? Number(v)
        : Number.NaN;
  if (!Number.isInteger(n))
    return scimErr(400, 'invalidValue', `${name} must be an integer, got ${JSON.stringify(v)}`);
  return scimOk(n);
}

function list(raw: Raw, name: string): ScimResult<string[]> {
  const v = get(raw, name);
  if (v === undefined || v === null) return scimOk([]);
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : null;
  if (!items || items.some((i) => typeof i !== 'string'))
    return scimErr(400, 'invalidValue', `${name} must be a comma-separated list of attribute names`);
  return scimOk((items as string[]).map((i) => i.trim()).filter((i) => i.length > 0));
}

/**
 * List parameters from a query string or a SearchRequest body (RFC 7644 §3.4.2, §3.4.3). Lenient where
 * clients are sloppy: startIndex below 1 is read as 1 and a negative count as 0 (§3.4.2.4); count
 * above the maximum is lowered to it.
 */
export function parseListQuery(raw: Raw, maxResults: number, defaultCount = 100): ScimResult<ListQuery> {
  const startIndex = integer(raw, 'startIndex');
  if (!startIndex.ok) return startIndex;
  const count = integer(raw, 'count');
  if (!count.ok) return count;
  const attributes = list(raw, 'attributes');
  if (!attributes.ok) return attributes;
  const excludedAttributes = list(raw, 'excludedAttributes');
  if (!excludedAttributes.ok) return excludedAttributes;
  let filter: Filter | null = null;
  const filterText = get(raw, 'filter');
  if (filterText !== undefined && filterText !== null && filterText !== '') {
    if (typeof filterText !== 'string') return scimErr(400, 'invalidFilter', 'filter must be a string');
    const parsed = parseFilter(filterText);
    if (!parsed.ok) return parsed;
    filter = parsed.value;
  }
  let sortBy: AttrPath | null = null;
  const sortText = get(raw, 'sortBy');
  if (sortText !== undefined && sortText !== null && sortText !== '') {
    const parsed = typeof sortText === 'string' ? parseAttrPathText(sortText) : null;
    if (!parsed?.ok)
      return scimErr(
        400,
        'invalidValue',
        `sortBy must be an attribute path, got ${JSON.stringify(sortText)}`,
      );
    sortBy = parsed.value;
  }
  const order = get(raw, 'sortOrder');
  if (
    order !== undefined &&
    order !== null &&
    order !== '' &&
    !/^(ascending|descending)$/i.test(String(order))
  )
    return scimErr(
      400,
      'invalidValue',
      `sortOrder must be "ascending" or "descending", got ${JSON.stringify(order)}`,
    );
  return scimOk({
    filter,
    sortBy,
    sortOrder: String(order ?? '').toLowerCase() === 'descending' ? 'descending' : 'ascending',
    startIndex: Math.max(1, startIndex.value ?? 1),
    count: Math.min(maxResults, Math.max(0, count.value ?? defaultCount)),
    attributes: attributes.value,
    excludedAttributes: excludedAttributes.value,
  });
}

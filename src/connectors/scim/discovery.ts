/**
 * What a target says about itself: /ServiceProviderConfig (RFC 7643 §5) and /ResourceTypes (§6).
 * Absent documents leave the defaults: many small targets serve neither.
 */

export interface TargetFeatures {
  /** Where the features came from: the document, or the /Users probe when there was none. */
  source: 'ServiceProviderConfig' | 'probe';
  patch: boolean;
  filter: boolean;
  /** `filter.maxResults`: the most resources one page or filter answer may hold. */
  maxResults: number | null;
  etag: boolean;
  sort: boolean;
  bulk: boolean;
  /** From /ResourceTypes; true when the target does not say. */
  groups: boolean;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** `true` and, as some targets send it, `"true"`. */
const truthy = (v: unknown) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

/** Some targets wrap the singleton in a ListResponse; take the document inside. */
function unwrap(body: unknown): Record<string, unknown> {
  const record = asRecord(body);
  const resources = record.Resources;
  return Array.isArray(resources) && resources.length > 0 ? asRecord(resources[0]) : record;
}

const supported = (doc: Record<string, unknown>, name: string) => truthy(asRecord(doc[name]).supported);

export function readServiceProviderConfig(body: unknown): Omit<TargetFeatures, 'groups'> {
  const doc = unwrap(body);
  const max = Number(asRecord(doc.filter).maxResults);
  return {
    source: 'ServiceProviderConfig',
    patch: supported(doc, 'patch'),
    filter: supported(doc, 'filter'),
    maxResults: Number.isInteger(max) && max > 0 ? max : null,
    etag: supported(doc, 'etag'),
    sort: supported(doc, 'sort'),
    bulk: supported(doc, 'bulk'),
  };
}

/**
 * Without a document nothing is known: PATCH is not assumed (PUT is the RFC's baseline), filtering is
 * (an `eq` filter is the one feature nearly every target has, and find needs it).
 */
export const probedFeatures: Omit<TargetFeatures, 'groups'> = {
  source: 'probe',
  patch: false,
  filter: true,
  maxResults: null,
  etag: false,
  sort: false,
  bulk: false,
};

/** Whether /ResourceTypes lists a Group type; null when the answer names no types at all. */
export function readGroupSupport(body: unknown): boolean | null {
  const record = asRecord(body);
  const list = Array.isArray(record.Resources) ? record.Resources : Array.isArray(body) ? body : [];
  const types = list.map(asRecord);
  if (types.length === 0) return null;
  return types.some(
    (t) =>
      String(t.endpoint ?? '').toLowerCase() === '/groups' ||
      String(t.name ?? t.id ?? '').toLowerCase() === 'group' ||
      String(t.schema ?? '').toLowerCase() === 'urn:ietf:params:scim:schemas:core:2.0:group',
  );
}

export function featureNotes(f: TargetFeatures, method: 'patch' | 'put'): string[] {
  const notes = [
    f.source === 'probe' ? 'no ServiceProviderConfig (features assumed)' : 'ServiceProviderConfig read',
    f.patch ? 'PATCH supported' : 'PATCH not supported',
    `updates by ${method === 'patch' ? 'PATCH' : 'GET + PUT'}`,
    f.filter ? 'filter supported' : 'filter not supported (find unavailable)',
  ];
  if (f.maxResults !== null) notes.push(`filter maxResults ${f.maxResults}`);
  if (f.etag) notes.push('ETag supported (PUT uses If-Match)');
  if (!f.groups) notes.push('no Group resource type');
  return notes;
}

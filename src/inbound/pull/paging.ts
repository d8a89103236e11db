import { pullError, redactUrl } from './errors.ts';

const MISSING = Symbol('missing');

/**
 * Reads a dotted path. Keys may themselves contain dots (`@odata.nextLink`), so at each level the
 * longest key that exists wins and shorter splits are tried when it leads nowhere. "" is the value itself.
 */
export function getPath(value: unknown, path: string): unknown {
  const found = walk(value, path === '' ? [] : path.split('.'));
  return found === MISSING ? undefined : found;
}

function walk(value: unknown, segments: string[]): unknown {
  if (segments.length === 0) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return MISSING;
  const record = value as Record<string, unknown>;
  for (let take = segments.length; take >= 1; take -= 1) {
    const key = segments.slice(0, take).join('.');
    if (!Object.hasOwn(record, key)) continue;
    const found = walk(record[key], segments.slice(take));
    if (found !== MISSING) return found;
  }
  return MISSING;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The records array at `path`, or a non-retryable failure that names the path and what was there. */
export function recordsAt(body: unknown, path: string, url: string): Record<string, unknown>[] {
  const name = path === '' ? 'the response body' : `recordsPath "${path}"`;
  const value = getPath(body, path);
  const where = redactUrl(url);
  if (value === undefined)
    throw pullError(`${name} is missing in the response from ${where}`, false, { url: where });
  if (!Array.isArray(value))
    throw pullError(`${name} in the response from ${where} is ${describe(value)}, not an array`, false, {
      url: where,
    });
  value.forEach((item, index) => {
    if (!isRecord(item))
      throw pullError(
        `${name}[${index}] in the response from ${where} is ${describe(item)}, not an object`,
        false,
        {
          url: where,
        },
      );
  });
  return value as Record<string, unknown>[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The `rel="next"` target of an RFC 8288 Link header, or null. */
export function nextFromLinkHeader(header: string | null): string | null {
  if (!header) return null;
  // Split on commas that start a new link-value; a URI inside <...> may itself hold commas.
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(part);
    if (!match) continue;
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('next')) return match[1] ?? null;
  }
  return null;
}

/**
 * Follows next links safely: resolves relative ones against the current URL, refuses to leave the
 * origin the pull started on (the link would receive our credentials) and stops on a link seen before.
 */
export class LinkFollower {
  private readonly seen = new Set<string>();
  private readonly origin: string;
  constructor(startUrl: string) {
    this.origin = new URL(startUrl).origin;
    this.seen.add(new URL(startUrl).toString());
  }

  next(link: unknown, currentUrl: string): string | null {
    if (link === undefined || link === null || link === '') return null;
    if (typeof link !== 'string')
      throw pullError(`next link in the response from ${redactUrl(currentUrl)} is not a string`, false);
    let url: URL;
    try {
      url = new URL(link, currentUrl);
    } catch {
      throw pullError(`next link in the response from ${redactUrl(currentUrl)} is not a URL`, false);
    }
    const text = url.toString();
    if (url.origin !== this.origin)
      throw pullError(
        `next link ${redactUrl(text)} leaves ${this.origin}; refusing to send credentials there`,
        false,
      );
    if (this.seen.has(text))
      throw pullError(`paging loop: next link ${redactUrl(text)} was already fetched in this run`, false, {
        url: redactUrl(text),
      });
    this.seen.add(text);
    return text;
  }
}

/** Fails the run rather than silently truncating it: a partial full sync could look like mass leavers. */
export function checkPageBudget(pages: number, maxPages: number, url: string): void {
  if (pages > maxPages)
    throw pullError(`stopped after ${maxPages} pages (maxPages); the source kept returning more`, false, {
      url: redactUrl(url),
    });
}

/** RFC 3986 query encoding: spaces as %20 (not "+", which OData reads as a plus) and `$ , : / @` kept. */
function encodeQueryPart(text: string): string {
  return encodeURIComponent(text).replace(/%(24|2C|3A|2F|40)/gi, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function decodeQueryName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * Sets query parameters on a URL, replacing any of the same name and leaving the others byte for byte
 * (URLSearchParams would re-encode the whole query, turning `$top` into `%24top`).
 */
export function setParams(url: string, params: Record<string, string>): string {
  const hashAt = url.indexOf('#');
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutHash.indexOf('?');
  const path = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt);
  const existing =
    queryAt === -1
      ? []
      : withoutHash
          .slice(queryAt + 1)
          .split('&')
          .filter((p) => p !== '');
  const names = new Set(Object.keys(params));
  const kept = existing.filter((part) => !names.has(decodeQueryName(part.split('=')[0] ?? '')));
  const added = Object.entries(params).map(
    ([name, value]) => `${encodeQueryPart(name)}=${encodeQueryPart(value)}`,
  );
  const query = [...kept, ...added].join('&');
  return query === '' ? path : `${path}?${query}`;
}

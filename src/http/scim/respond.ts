import type { Context } from 'hono';
import { type ScimError, scimErrorBody } from '../../scim/index.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** What a SCIM operation produced; routes and Bulk both render it. */
export interface ScimOutcome {
  status: number;
  body?: unknown;
  location?: string;
  etag?: string;
}

export const failed = (error: ScimError): ScimOutcome => ({
  status: error.status,
  body: scimErrorBody(error),
});
export const problem = (status: number, scimType: ScimError['scimType'], detail: string): ScimOutcome =>
  failed(scimType ? { status, scimType, detail } : { status, detail });

export function render(c: Context, outcome: ScimOutcome): Response {
  const headers = new Headers();
  if (outcome.location) headers.set('Location', outcome.location);
  if (outcome.etag) headers.set('ETag', outcome.etag);
  if (outcome.status === 401) headers.set('WWW-Authenticate', 'Bearer realm="joinery"');
  const requestId = c.get('requestId' as never) as string | undefined;
  if (requestId) headers.set('X-Request-Id', requestId);
  if (outcome.body === undefined || outcome.status === 204 || outcome.status === 304) {
    return new Response(null, { status: outcome.status, headers });
  }
  headers.set('Content-Type', SCIM_CONTENT_TYPE);
  return new Response(JSON.stringify(outcome.body), { status: outcome.status, headers });
}

/** meta.version is a weak ETag over the row version (RFC 7644 §3.14). */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * The versions an If-Match header names (RFC 9110 §13.1.1: a list that passes when any tag matches):
 * `*` for any, or the numbers of the tags this server could have issued (others can only mismatch).
 */
export function parseIfMatch(header: string | undefined): Set<number> | '*' | undefined {
  if (header === undefined) return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return '*';
  const versions = new Set<number>();
  for (const tag of tags) {
    const m = /^(?:W\/)?"(\d{1,9})"$/.exec(tag);
    if (m?.[1]) versions.add(Number(m[1]));
  }
  return versions;
}

/**
 * The row version a write must still find, from If-Match and the version just read: undefined when the
 * header is absent or `*`, null when no listed tag is current (the caller answers 412).
 */
export function ifMatchVersion(header: string | undefined, current: number): number | undefined | null {
  const wanted = parseIfMatch(header);
  if (wanted === undefined || wanted === '*') return undefined;
  return wanted.has(current) ? current : null;
}

/** True when one of the If-None-Match tags names this version (weak comparison, RFC 9110 §13.1.2). */
export function noneMatchHits(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '') === `"${version}"`);
}

/**
 * The preconditions of a write (RFC 7644 §3.14) against the version just read: a matching If-None-Match
 * or a non-matching If-Match ends the call with 412; otherwise the version the write must still find.
 */
export function writePreconditions(
  call: { ifMatch: string | undefined; ifNoneMatch: string | undefined },
  kind: 'User' | 'Group',
  version: number,
): { ifVersion?: number } | ScimOutcome {
  if (noneMatchHits(call.ifNoneMatch, version))
    return problem(412, undefined, `If-None-Match: the ${kind} is at version ${etagOf(version)}`);
  const ifVersion = ifMatchVersion(call.ifMatch, version);
  if (ifVersion === null)
    return problem(412, undefined, `If-Match: the ${kind} is at version ${etagOf(version)}`);
  return ifVersion === undefined ? {} : { ifVersion };
}

/** The preconditions of a read: 304 when If-None-Match names the version, 412 when If-Match does not. */
export function readPreconditions(
  call: { ifMatch: string | undefined; ifNoneMatch: string | undefined },
  kind: 'User' | 'Group',
  version: number,
): ScimOutcome | null {
  if (noneMatchHits(call.ifNoneMatch, version)) return { status: 304, etag: etagOf(version) };
  if (ifMatchVersion(call.ifMatch, version) === null)
    return problem(412, undefined, `If-Match: the ${kind} is at version ${etagOf(version)}`);
  return null;
}

/** A body that must be a JSON object (POST and PUT of a resource). */
export const notAnObject = (body: unknown, kind: 'User' | 'Group'): ScimOutcome | null =>
  typeof body === 'object' && body !== null && !Array.isArray(body)
    ? null
    : problem(400, 'invalidSyntax', `the request body must be a SCIM ${kind} object`);

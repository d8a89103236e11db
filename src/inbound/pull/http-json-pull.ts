import { createAuthenticator } from './auth.ts';
import { DEFAULTS, type HttpJsonPullConfig } from './config.ts';
import { pullError } from './errors.ts';
import { type JsonRequest, requestJson } from './http.ts';
import { httpContext, type PullOptions, type PullPage, type PullResult } from './options.ts';
import {
  checkPageBudget,
  getPath,
  LinkFollower,
  nextFromLinkHeader,
  recordsAt,
  setParams,
} from './paging.ts';
import { parseInstant, WatermarkTracker } from './watermark.ts';

function firstUrl(config: HttpJsonPullConfig, watermark: string | null, watermarkMs: number | null): string {
  const params: Record<string, string> = { ...config.query };
  const delta = config.deltaParam;
  if (delta && watermark !== null) {
    const value =
      delta.format === 'iso' && watermarkMs !== null ? new Date(watermarkMs).toISOString() : watermark;
    // The template replaces a configured full-sync value of the same parameter (e.g. sysparm_query).
    params[delta.name] = delta.template ? delta.template.replaceAll('{watermark}', value) : value;
  }
  return setParams(config.url, params);
}

/** Header names are case-insensitive; lower-casing keeps a configured `Accept` from doubling ours. */
function requestHeaders(config: HttpJsonPullConfig): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.body !== undefined) headers['content-type'] = 'application/json';
  for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/** A cheap identity of a page, to notice a source that ignores the offset parameter. */
function fingerprint(records: Record<string, unknown>[]): string {
  return `${records.length}:${JSON.stringify(records[0])}:${JSON.stringify(records.at(-1))}`;
}

/**
 * Pulls a JSON API page by page: Workday RaaS, SuccessFactors OData v2, OData v4, ServiceNow Table API
 * and the like. Yields the records found at `recordsPath` on each page; returns the next watermark.
 */
export async function* pullHttpJson(
  config: HttpJsonPullConfig,
  options: PullOptions = {},
): AsyncGenerator<PullPage, PullResult> {
  const ctx = httpContext(options, config.timeoutMs);
  const auth = createAuthenticator(config.auth, ctx);
  const previous = options.watermark ?? null;
  const previousMs = previous === null ? null : parseInstant(previous);
  const needsInstant = config.watermarkPath !== undefined || config.deltaParam?.format === 'iso';
  if (previous !== null && previousMs === null && needsInstant)
    throw pullError(`watermark ${JSON.stringify(previous)} is not a date-time`, false);
  const cap = ctx.now().getTime() - (config.watermarkSkewMs ?? DEFAULTS.watermarkSkewMs);
  const tracker = config.watermarkPath ? new WatermarkTracker(previous, previousMs, cap) : null;
  const maxPages = config.maxPages ?? DEFAULTS.maxPages;
  const paging = config.paging;
  const start = firstUrl(config, previous, previousMs);
  const follower = new LinkFollower(start);
  const method = config.method ?? 'GET';
  const headers = requestHeaders(config);
  const body = config.body === undefined ? undefined : JSON.stringify(config.body);

  let offset = paging.type === 'offset' ? (paging.start ?? 0) : 0;
  let url: string | null = start;
  let previousPage: string | null = null;
  for (let page = 1; url !== null; page += 1) {
    checkPageBudget(page, maxPages, url);
    if (paging.type === 'offset') {
      url = setParams(start, {
        [paging.offsetParam]: String(offset),
        [paging.limitParam]: String(paging.pageSize),
      });
    }
    const request: JsonRequest = { url, method, headers };
    if (body !== undefined) request.body = body;
    const response = await requestJson(request, ctx, auth);
    const records = recordsAt(response.body, config.recordsPath, response.url);
    if (paging.type === 'offset' && records.length > 0) {
      // Checked before yielding so the caller never receives the repeated page.
      const print = fingerprint(records);
      if (print === previousPage)
        throw pullError(
          `paging loop: offset ${offset} returned the same records as the page before; does the source honour ${paging.offsetParam}?`,
          false,
        );
      previousPage = print;
    }
    if (tracker && config.watermarkPath)
      for (const record of records) tracker.observe(getPath(record, config.watermarkPath));
    if (records.length > 0) yield { records };

    switch (paging.type) {
      case 'none':
        url = null;
        break;
      case 'offset':
        if (records.length < paging.pageSize) url = null;
        else offset += records.length;
        break;
      case 'nextLink':
        url = follower.next(getPath(response.body, paging.path), response.url);
        break;
      case 'linkHeader':
        url = follower.next(nextFromLinkHeader(response.headers.get('link')), response.url);
        break;
    }
  }

  if (tracker) return { watermark: tracker.result() };
  // Without per-record times the run's start (less the skew) is the only honest "changed since".
  if (config.deltaParam) return { watermark: new Date(cap).toISOString() };
  return { watermark: null };
}

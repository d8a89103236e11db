import { createAuthenticator } from './auth.ts';
import { DEFAULTS, type ScimPullConfig } from './config.ts';
import { PullError, pullError, redactUrl } from './errors.ts';
import { type JsonResponse, requestJson } from './http.ts';
import { httpContext, type PullOptions, type PullPage, type PullResult } from './options.ts';
import { checkPageBudget, getPath, isRecord, recordsAt, setParams } from './paging.ts';
import { parseInstant, WatermarkTracker } from './watermark.ts';

const LAST_MODIFIED = 'meta.lastModified';

/** The list filter: the delta condition (when there is a watermark) AND-ed with the configured one. */
export function scimFilter(watermark: string | null, extra: string | undefined): string | undefined {
  // A SCIM compValue string is a JSON string, so JSON.stringify quotes and escapes it correctly.
  const delta = watermark === null ? undefined : `${LAST_MODIFIED} gt ${JSON.stringify(watermark)}`;
  if (delta && extra) return `(${delta}) and (${extra})`;
  return delta ?? extra;
}

function listUrl(base: string, filter: string | undefined, startIndex: number, count: number, sort: boolean) {
  const params: Record<string, string> = {};
  if (filter) params.filter = filter;
  if (sort) {
    params.sortBy = LAST_MODIFIED;
    // Newest first: a record changed mid-run moves to the front, so later pages repeat one, not skip one.
    params.sortOrder = 'descending';
  }
  params.startIndex = String(startIndex);
  params.count = String(count);
  return setParams(base, params);
}

/**
 * Pages through a SCIM 2.0 resource list (RFC 7644 §3.4.2.4). Without a watermark it reads everything;
 * with one it asks only for resources modified after it. See README "Watermarks" for why records may
 * repeat (the caller dedupes by id + meta.lastModified) and why the watermark trails the run start.
 */
export async function* pullScim(
  config: ScimPullConfig,
  options: PullOptions = {},
): AsyncGenerator<PullPage, PullResult> {
  const ctx = httpContext(options, config.timeoutMs);
  const auth = createAuthenticator(config.auth, ctx);
  const previous = options.watermark ?? null;
  const previousMs = previous === null ? null : parseInstant(previous);
  if (previous !== null && previousMs === null)
    throw pullError(`watermark ${JSON.stringify(previous)} is not a date-time`, false);
  const cap = ctx.now().getTime() - (config.watermarkSkewMs ?? DEFAULTS.watermarkSkewMs);
  const tracker = new WatermarkTracker(previous, previousMs, cap);
  const base = `${config.url.replace(/\/+$/, '')}/${config.resource ?? 'Users'}`;
  const filter = scimFilter(previous, config.filter);
  const count = config.pageSize ?? DEFAULTS.pageSize;
  const maxPages = config.maxPages ?? DEFAULTS.maxPages;
  const headers = { accept: 'application/scim+json' };

  let sort = true;
  let startIndex = 1;
  for (let page = 1; ; page += 1) {
    checkPageBudget(page, maxPages, base);
    let response: JsonResponse;
    try {
      response = await requestJson(
        { url: listUrl(base, filter, startIndex, count, sort), method: 'GET', headers },
        ctx,
        auth,
      );
    } catch (error) {
      // RFC 7644 lets servers skip sorting; a few reject sortBy outright. Try once more without it.
      if (page === 1 && sort && error instanceof PullError && error.failure.status === 400) {
        sort = false;
        page -= 1;
        continue;
      }
      throw error;
    }
    const { body, url } = response;
    if (!isRecord(body))
      throw pullError(`SCIM list response from ${redactUrl(url)} is not an object`, false, {
        url: redactUrl(url),
      });
    // Resources may be omitted when a page is empty (RFC 7644 §3.4.2).
    const records = body.Resources === undefined ? [] : recordsAt(body, 'Resources', url);
    for (const record of records) tracker.observe(getPath(record, LAST_MODIFIED));
    if (records.length > 0) yield { records };

    const total = typeof body.totalResults === 'number' ? body.totalResults : undefined;
    if (records.length === 0) break;
    // Servers may cap count below what we asked, so a short page ends the list only without a total.
    if (total !== undefined ? startIndex - 1 + records.length >= total : records.length < count) break;
    startIndex += records.length;
  }
  return { watermark: tracker.result() };
}

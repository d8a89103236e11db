import { setTimeout as delay } from 'node:timers/promises';
import { excerpt, pullError, redactUrl } from './errors.ts';

/** What a request needs from its surroundings; tests swap the clock, sleep and randomness. */
export interface HttpContext {
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  now: () => Date;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  retryBaseMs: number;
  maxAttempts: number;
  /** Upper bound on the sum of all retry sleeps of one request. */
  maxRetryWaitMs: number;
}

/** The credentials side of a request; `refresh` runs on a 401 and says whether one more try can help. */
export interface Authenticator {
  headers(): Promise<Record<string, string>>;
  refresh(): Promise<boolean>;
  secrets(): string[];
}

export const noAuth: Authenticator = {
  headers: async () => ({}),
  refresh: async () => false,
  secrets: () => [],
};

export interface JsonRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface JsonResponse {
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
}

const MAX_SINGLE_DELAY_MS = 30_000;

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {});

/** Retry-After as milliseconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many pulls spread out. */
export function backoffMs(failures: number, baseMs: number, random: () => number): number {
  const ceiling = Math.min(MAX_SINGLE_DELAY_MS, baseMs * 2 ** (failures - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

type Outcome =
  | { kind: 'response'; response: Response; text: string }
  | { kind: 'transient'; message: string; status?: number; waitMs: number | null };

async function attempt(req: JsonRequest, ctx: HttpContext, auth: Authenticator): Promise<Outcome> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const init: RequestInit = {
    method: req.method,
    headers: { ...req.headers, ...(await auth.headers()) },
    signal,
    redirect: 'follow',
  };
  if (req.body !== undefined) init.body = req.body;
  try {
    const response = await ctx.fetch(req.url, init);
    const text = await response.text();
    if (!retryableStatus(response.status)) return { kind: 'response', response, text };
    return {
      kind: 'transient',
      message: `status ${response.status}`,
      status: response.status,
      waitMs: retryAfterMs(response.headers.get('retry-after'), ctx.now()),
    };
  } catch (error) {
    if (ctx.signal?.aborted) throw pullError('pull aborted', false, { url: redactUrl(req.url) });
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    // The cause of a fetch TypeError names the socket problem (ECONNREFUSED, ...); it holds no secrets.
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const message = timedOut ? `timed out after ${ctx.timeoutMs} ms` : `network error${cause}`;
    return { kind: 'transient', message, waitMs: null };
  }
}

/**
 * One JSON request with bounded retries: 408, 429 and 5xx, timeouts and network errors are retried with
 * backoff (Retry-After wins when sent); a 401 gets one retry after `auth.refresh()`; any other non-2xx
 * is final. Messages carry the redacted URL and a scrubbed body excerpt, never credentials.
 */
export async function requestJson(
  req: JsonRequest,
  ctx: HttpContext,
  auth: Authenticator = noAuth,
): Promise<JsonResponse> {
  const url = redactUrl(req.url);
  const where = `${req.method} ${url}`;
  let waited = 0;
  let failures = 0;
  let refreshed = false;
  for (;;) {
    const outcome = await attempt(req, ctx, auth);
    if (outcome.kind === 'response') {
      const { response, text } = outcome;
      const status = response.status;
      if (status === 401 && !refreshed && (await auth.refresh())) {
        refreshed = true;
        continue;
      }
      if (status < 200 || status > 299) {
        const detail = text ? `: ${excerpt(text, auth.secrets())}` : '';
        const what = status === 401 ? 'authentication rejected' : 'failed';
        throw pullError(`${where} ${what} with status ${status}${detail}`, false, { status, url });
      }
      const body = parseJson(text, where, url, auth.secrets());
      // The final URL after redirects is the base for relative next links (RFC 3986 §5.1.3).
      return { url: response.url || req.url, status, headers: response.headers, body };
    }
    failures += 1;
    const extra = outcome.status === undefined ? {} : { status: outcome.status };
    if (failures >= ctx.maxAttempts)
      throw pullError(`${where} ${outcome.message}; gave up after ${failures} attempts`, true, {
        ...extra,
        url,
      });
    const wait = outcome.waitMs ?? backoffMs(failures, ctx.retryBaseMs, ctx.random);
    if (waited + wait > ctx.maxRetryWaitMs)
      throw pullError(
        `${where} ${outcome.message}; retrying would wait ${Math.ceil(wait / 1000)} s, over the retry budget`,
        true,
        { ...extra, url },
      );
    waited += wait;
    try {
      await ctx.sleep(wait, ctx.signal);
    } catch {
      throw pullError('pull aborted', false, { url });
    }
  }
}

function parseJson(text: string, where: string, url: string, secrets: string[]): unknown {
  if (text.trim() === '') throw pullError(`${where} returned an empty body; expected JSON`, false, { url });
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8 quotes a little of the body in its message; scrub it like any other excerpt.
    const reason = error instanceof Error ? excerpt(error.message, secrets, 120) : 'invalid JSON';
    throw pullError(`${where} returned a body that is not JSON (${reason})`, false, { url });
  }
}

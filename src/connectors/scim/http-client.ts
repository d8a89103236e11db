import type { Logger } from '../../core/index.ts';
import type { ConnectorResult } from '../../outbound/index.ts';
import { connectorFail, connectorOk } from '../../outbound/index.ts';
import { excerpt, httpFailure, readScimError, unreachable } from './errors.ts';
import {
  backoffMs,
  type HttpMethod,
  neverSent,
  parseRetryAfter,
  safeToRepeat,
  transientStatus,
} from './retry-policy.ts';
import { send } from './transport.ts';

export interface HttpSettings {
  timeoutMs: number;
  maxRetries: number;
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  /** Aborted by `close()`: in-flight requests end at once. */
  closed: AbortSignal;
  logger: Logger;
}

/** The credentials side of a request. */
export interface Credentials {
  /** The Authorization header value (fetching an OAuth token when none is cached). */
  authorization(): Promise<ConnectorResult<string>>;
  /** After a 401: forget what is cached; true when asking again can give a different credential. */
  renew(): boolean;
  /** Every string that must never appear in a message. */
  secrets(): string[];
}

export interface Exchange {
  method: HttpMethod;
  url: string;
  /** `METHOD /path` for messages: no host, no query, nothing secret. */
  where: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
}

type Attempt = { kind: 'answer'; answer: HttpAnswer } | { kind: 'lost'; reason: string; notSent: boolean };

async function attempt(
  ex: Exchange,
  settings: HttpSettings,
  credentials: Credentials | null,
): Promise<ConnectorResult<Attempt>> {
  const headers = { ...ex.headers };
  if (credentials) {
    const auth = await credentials.authorization();
    if (!auth.ok) return auth;
    headers.Authorization = auth.value;
  }
  const signal = AbortSignal.any([settings.closed, AbortSignal.timeout(settings.timeoutMs)]);
  try {
    // The body is read under the same signal, so a server that stalls mid-body also times out.
    const response = await send(ex.url, {
      method: ex.method,
      headers,
      signal,
      ...(ex.body !== undefined ? { body: ex.body } : {}),
    });
    return connectorOk({
      kind: 'answer',
      answer: {
        status: response.status,
        headers: response.headers,
        text: response.text,
        json: parseJson(response.text),
      },
    });
  } catch (error) {
    if (settings.closed.aborted)
      return connectorOk({ kind: 'lost', reason: 'connector closed', notSent: false });
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // The cause names the socket problem (ECONNREFUSED, ...); it holds no secret.
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const reason = timedOut ? `timed out after ${settings.timeoutMs} ms` : `network error${cause}`;
    return connectorOk({ kind: 'lost', reason, notSent: neverSent(error) });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * One HTTP exchange under the retry policy (README "Retry policy"): 429 waits out Retry-After when it is
 * short enough, 408/5xx and lost connections back off exponentially, a 401 renews the credential once;
 * every other answer is final. Non-2xx answers become the contract's failures; 2xx answers are returned.
 */
export async function exchange(
  ex: Exchange,
  settings: HttpSettings,
  credentials: Credentials | null,
  extraSecrets: readonly string[] = [],
): Promise<ConnectorResult<HttpAnswer>> {
  const secrets = () => [...(credentials?.secrets() ?? []), ...extraSecrets];
  let retries = 0;
  let renewed = false;
  for (;;) {
    const tried = await attempt(ex, settings, credentials);
    if (!tried.ok) return tried;
    const outcome = tried.value;
    if (outcome.kind === 'lost') {
      if (settings.closed.aborted) return connectorFail(unreachable(ex.where, outcome.reason));
      if (retries < settings.maxRetries && safeToRepeat(ex.method, null, outcome.notSent)) {
        retries += 1;
        await pause(settings, backoffMs(retries, settings.random), ex.where, outcome.reason);
        continue;
      }
      const tries = retries > 0 ? ` (after ${retries + 1} attempts)` : '';
      return connectorFail(unreachable(ex.where, outcome.reason + tries));
    }
    const { answer } = outcome;
    const { status } = answer;
    if (status >= 200 && status < 300) return connectorOk(answer);
    if (status === 401 && credentials && !renewed && credentials.renew()) {
      renewed = true;
      continue;
    }
    const error = readScimError(answer.json, answer.text);
    if (transientStatus(status)) {
      const hinted = parseRetryAfter(answer.headers.get('retry-after'), settings.now());
      const wait = hinted ?? backoffMs(retries + 1, settings.random);
      const canWait = hinted === undefined || hinted <= settings.maxRetryAfterMs;
      if (retries < settings.maxRetries && canWait && safeToRepeat(ex.method, status, false)) {
        retries += 1;
        await pause(settings, wait, ex.where, `status ${status}`);
        continue;
      }
      const failure = httpFailure(ex.where, status, error, secrets(), status === 429 ? wait : hinted);
      if (retries > 0) failure.message += ` (after ${retries + 1} attempts)`;
      return connectorFail(failure);
    }
    return connectorFail(httpFailure(ex.where, status, error, secrets()));
  }
}

async function pause(settings: HttpSettings, ms: number, where: string, reason: string): Promise<void> {
  settings.logger.debug({ where, reason, waitMs: Math.round(ms) }, 'scim connector: retrying');
  await settings.sleep(ms);
}

/** A short, scrubbed excerpt of a body, for "unexpected answer" messages. */
export const bodyExcerpt = (answer: HttpAnswer, secrets: readonly string[]) =>
  answer.text ? excerpt(answer.text, secrets, 200) : '(empty body)';

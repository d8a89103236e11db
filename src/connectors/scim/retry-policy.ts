/**
 * When a failed attempt is worth repeating inside the same call, and how long to wait first.
 * Kept apart from the transport so the rules read as one table.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Socket errors that mean the request never reached the target, so even a POST is safe to resend. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function neverSent(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' && NOT_SENT.has(code);
}

/**
 * Whether repeating this method after `status` (or a lost answer, `status` null) cannot double an effect.
 * A POST that timed out or got a 500 may have created the object; resending would create a second
 * one (groups rarely have a unique key), so only answers that say "not processed" are retried for it.
 */
export function safeToRepeat(method: HttpMethod, status: number | null, notSent: boolean): boolean {
  if (method !== 'POST') return true;
  if (status === null) return notSent;
  return status === 429 || status === 502 || status === 503 || status === 504;
}

export const transientStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const BASE_MS = 500;
const CAP_MS = 20_000;

/**
 * Exponential backoff with "equal jitter" (half fixed, half random): many workers retrying one target
 * spread out instead of arriving together, and a retry never comes sooner than half the step.
 */
export function backoffMs(retry: number, random: () => number): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

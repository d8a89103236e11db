import { DEFAULTS } from './config.ts';
import { defaultSleep, type HttpContext } from './http.ts';

export interface PullOptions {
  /** The watermark the previous run returned; null or absent means a full sync. */
  watermark?: string | null;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => Date;
  /** First backoff step in ms (default 500); doubles per failure, with jitter. */
  retryBaseMs?: number;
  /** Tries per request, the first included (default 5). */
  maxAttempts?: number;
  /** Sum of retry sleeps allowed for one request, Retry-After included (default 120 000 ms). */
  maxRetryWaitMs?: number;
  /** Replaces the retry sleep (tests record the waits instead of waiting). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface PullPage {
  records: Record<string, unknown>[];
}

export interface PullResult {
  watermark: string | null;
}

export function httpContext(options: PullOptions, timeoutMs: number | undefined): HttpContext {
  return {
    // Looked up at call time, not import time, so a test's stubbed global fetch is honoured.
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    signal: options.signal,
    timeoutMs: timeoutMs ?? DEFAULTS.timeoutMs,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? defaultSleep,
    random: Math.random,
    retryBaseMs: options.retryBaseMs ?? 500,
    maxAttempts: options.maxAttempts ?? 5,
    maxRetryWaitMs: options.maxRetryWaitMs ?? 120_000,
  };
}

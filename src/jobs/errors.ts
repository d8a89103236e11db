/**
 * Thrown by a job handler when trying again cannot help (invalid data, a permanent refusal by a peer):
 * the job fails at once instead of spending its retries.
 */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
  readonly retryable = false;
}

/**
 * Whether a handler's error may succeed on another attempt. Besides NonRetryableError, any error that
 * says `retryable === false` is final: that is how `AppError` (whose `retryable` defaults to false)
 * and connector errors tell the runner that retrying cannot help. Everything else (outages, bugs,
 * timeouts) is retried with the queue's backoff.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NonRetryableError) return false;
  if (typeof error === 'object' && error !== null && 'retryable' in error && error.retryable === false) {
    return false;
  }
  return true;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

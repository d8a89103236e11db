import { createHmac } from 'node:crypto';
import { type Failure, failure } from '../core/index.ts';
import type { ExtensionDefinition } from './extensions.ts';

export interface ExtensionRequest {
  /** Idempotency key: the same for every attempt of one task of one run. */
  id: string;
  workflow: { id: string; name: string; version: number; category: string };
  run: { id: string };
  task: { position: number; displayName: string };
  subject: Record<string, unknown>;
  callback: { url: string; expiresAt: string } | null;
}

export type CallOutcome = { ok: true; status: number } | { ok: false; error: Failure; retryable: boolean };

/**
 * `X-Joinery-Signature: sha256=<hex>` is HMAC-SHA256 over `<timestamp>.<body>` with the extension's
 * secret; the receiver recomputes it and rejects stale timestamps, so a captured request cannot be
 * replayed later or altered.
 */
export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function callExtension(
  extension: ExtensionDefinition,
  request: ExtensionRequest,
  now: Date,
  fetchFn: typeof fetch,
): Promise<CallOutcome> {
  const body = JSON.stringify({ type: 'joinery.workflows.customTaskExtension', ...request });
  const timestamp = Math.floor(now.getTime() / 1000);
  const where = { endpoint: extension.endpoint };
  let response: Response;
  try {
    response = await fetchFn(extension.endpoint, {
      method: 'POST',
      headers: {
        ...extension.headers,
        'Content-Type': 'application/json',
        'Idempotency-Key': request.id,
        'X-Joinery-Timestamp': String(timestamp),
        'X-Joinery-Signature': sign(extension.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(extension.timeoutSeconds * 1000),
      redirect: 'manual',
    });
    // The body is not used; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      ok: false,
      retryable: true,
      error: failure(
        'workflows.task_failed',
        timedOut
          ? `the custom task extension did not answer within ${extension.timeoutSeconds} s`
          : `the custom task extension could not be reached: ${error instanceof Error ? error.message : String(error)}`,
        where,
      ),
    };
  }
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  return {
    ok: false,
    retryable,
    error: failure('workflows.task_failed', `the custom task extension answered HTTP ${response.status}`, {
      ...where,
      status: response.status,
    }),
  };
}

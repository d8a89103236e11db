import type { ConnectorFailure, ConnectorFailureCode } from '../../outbound/index.ts';

/** What a SCIM error body (RFC 7644 §3.12) tells us, when the target sent one. */
export interface ScimErrorBody {
  scimType?: string;
  detail?: string;
}

export function readScimError(body: unknown, text: string): ScimErrorBody {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const out: ScimErrorBody = {};
    if (typeof b.scimType === 'string') out.scimType = b.scimType;
    // `detail` is the RFC's field; `message`/`error` are what non-SCIM gateways put in front answer with.
    const detail = [b.detail, b.message, b.error_description, b.error].find((v) => typeof v === 'string');
    if (typeof detail === 'string') out.detail = detail;
    return out;
  }
  const trimmed = text.trim();
  return trimmed ? { detail: trimmed } : {};
}

/** Masks every credential inside text the target sent back (some servers echo headers in errors). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

export function excerpt(text: string, secrets: readonly string[], max = 300): string {
  const flat = scrub(text, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function codeFor(status: number): ConnectorFailureCode {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'rate_limited';
  // 405/501: the endpoint or method does not exist on this target (no PUT, no Groups...).
  if (status === 405 || status === 501) return 'unsupported';
  if (status >= 500) return 'server';
  return 'invalid';
}

/** The contract's failure for a final non-2xx answer. `where` is `METHOD /path`, never the full URL. */
/**
 * The SCIM `scimType` of a failure, kept beside it rather than in it: the contract's failure has no such
 * field, and the connector only needs it to react to `noTarget`.
 */
export const scimTypes = new WeakMap<ConnectorFailure, string>();

export function httpFailure(
  where: string,
  status: number,
  error: ScimErrorBody,
  secrets: readonly string[],
  retryAfterMs?: number,
): ConnectorFailure {
  const code = codeFor(status);
  const type = error.scimType ? ` ${error.scimType}` : '';
  const detail = error.detail ? `: ${excerpt(error.detail, secrets)}` : '';
  const failure: ConnectorFailure = {
    code,
    message: `${where} answered ${status}${type}${detail}`,
    // A 412 is a lost race on the version, not a refusal: a fresh read can succeed.
    retryable: code === 'rate_limited' || code === 'server' || status === 408 || status === 412,
    status,
  };
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  if (error.scimType) scimTypes.set(failure, error.scimType);
  return failure;
}

export function unreachable(where: string, reason: string): ConnectorFailure {
  return { code: 'unreachable', message: `${where} failed: ${reason}`, retryable: true };
}

import type { Context } from 'hono';
import { failure } from '../../core/index.ts';
import type { HttpEnv } from '../env.ts';

/** Weak ETag of an object version. */
export const etagOf = (version: number) => `W/"${version}"`;

/**
 * Reads If-Match as an expected version for optimistic concurrency. Accepts W/"3", "3" and *.
 * Returns undefined when absent or *, a failure when unparseable.
 */
export function ifMatchVersion(
  c: Context<HttpEnv>,
): { ok: true; version: number | undefined } | { ok: false; error: ReturnType<typeof failure> } {
  const header = c.req.header('if-match');
  if (!header || header.trim() === '*') return { ok: true, version: undefined };
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) {
    return {
      ok: false,
      error: failure('request.invalid', 'If-Match must be an ETag this server issued, such as W/"3"', {
        header,
      }),
    };
  }
  return { ok: true, version: Number(match[1]) };
}

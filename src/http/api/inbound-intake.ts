import type { Context } from 'hono';
import { type Failure, failure, type Result } from '../../core/index.ts';
import type { Inbound, RunSummary } from '../../inbound/index.ts';
import type { HttpEnv } from '../env.ts';
import { errorResponse } from '../errors.ts';
import { parseJsonBody } from '../json-body.ts';

/** Reads a body up to `max` bytes: the declared length is checked first so a huge upload is refused unread. */
export async function readLimited(
  c: Context<HttpEnv>,
  max: number,
): Promise<{ ok: true; text: string } | { ok: false; error: Failure }> {
  const tooLarge = (size: number) =>
    failure('inbound.payload_too_large', `the body is ${size} bytes; at most ${max} are accepted`, {
      size,
      max,
    });
  const declared = Number(c.req.header('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) return { ok: false, error: tooLarge(declared) };
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > max) return { ok: false, error: tooLarge(buffer.byteLength) };
  return { ok: true, text: new TextDecoder().decode(buffer) };
}

export const dryRunOf = (c: Context<HttpEnv>) => /^(true|1)$/i.test(c.req.query('dryRun') ?? '');

/** 202 Accepted with the status URL, the answer Entra's clients expect from bulkUpload. */
export function accepted(c: Context<HttpEnv>, result: Result<RunSummary>): Response {
  if (!result.ok) return errorResponse(c, result.error);
  const location = `/api/v1/inbound/runs/${result.value.id}`;
  return c.json(result.value, 202, { Location: location });
}

/** The bulkUpload handler, shared by Joinery's path and Microsoft Graph's. */
export async function handleBulkUpload(
  c: Context<HttpEnv>,
  inbound: Inbound,
  sourceId: string,
  maxBytes: number,
) {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(scim\+)?json\b/i.test(type)) {
    return errorResponse(
      c,
      failure(
        'request.unsupported_media_type',
        'a bulkUpload body is a SCIM BulkRequest: Content-Type application/scim+json or application/json',
        {
          contentType: type || null,
        },
      ),
    );
  }
  const body = await readLimited(c, maxBytes);
  if (!body.ok) return errorResponse(c, body.error);
  const parsed = parseJsonBody(body.text);
  if (!parsed.ok) return errorResponse(c, failure('request.invalid_json', parsed.message));
  return accepted(
    c,
    await inbound.bulkUpload(c.get('requestContext'), sourceId, parsed.value, { dryRun: dryRunOf(c) }),
  );
}

/** CSV as `text/csv` (or text/plain), or multipart with the file in a `file` field. */
export async function handleCsv(c: Context<HttpEnv>, inbound: Inbound, sourceId: string, maxBytes: number) {
  const type = c.req.header('content-type') ?? '';
  let text: string;
  if (/^multipart\/form-data/i.test(type)) {
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      return errorResponse(
        c,
        failure(
          'inbound.payload_too_large',
          `the body is ${declared} bytes; at most ${maxBytes} are accepted`,
          { size: declared, max: maxBytes },
        ),
      );
    }
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) {
      return errorResponse(
        c,
        failure('inbound.invalid_csv', 'the multipart body needs the CSV file in a field named "file"'),
      );
    }
    text = await file.text();
  } else if (/^text\/(csv|plain)\b/i.test(type)) {
    const body = await readLimited(c, maxBytes);
    if (!body.ok) return errorResponse(c, body.error);
    text = body.text;
  } else {
    return errorResponse(
      c,
      failure(
        'request.unsupported_media_type',
        'send the CSV as text/csv or as multipart/form-data with a "file" field',
        {
          contentType: type || null,
        },
      ),
    );
  }
  if (text.includes('\u0000'))
    return errorResponse(c, failure('inbound.invalid_csv', 'the CSV contains a NUL character'));
  return accepted(
    c,
    await inbound.importCsv(c.get('requestContext'), sourceId, text, { dryRun: dryRunOf(c) }),
  );
}

import { type Selectable, sql } from 'kysely';
import { err, type Failure, failure, isUuid, ok, type Result } from '../core/index.ts';
import type { Db, EmailDeliveriesTable } from '../db/index.ts';
import type { Delivery, DeliveryQuery } from './types.ts';

export type DeliveryRow = Selectable<EmailDeliveriesTable>;

const iso = (d: Date | string) => new Date(d).toISOString();

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    template: row.template,
    locale: row.locale,
    purpose: row.purpose,
    userId: row.user_id,
    runId: row.run_id,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    messageId: row.message_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    sentAt: row.sent_at ? iso(row.sent_at) : null,
  };
}

const notFound = (id: string): Failure =>
  failure('notifications.delivery_not_found', `no e-mail delivery with id ${id}`, { id });

export async function getDelivery(db: Db, id: string): Promise<Result<Delivery>> {
  if (!isUuid(id)) return err(notFound(id));
  const row = await db.selectFrom('email_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? ok(toDelivery(row)) : err(notFound(id));
}

// The cursor is the (created_at, id) of the last row of the previous page: ids are UUIDv7 but
// random within one millisecond, so creation time leads and the id only breaks ties.
function encodeCursor(row: DeliveryRow): string {
  return Buffer.from(`d:${iso(row.created_at)}|${row.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const match = /^d:([^|]+)\|(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2] || !isUuid(match[2])) return null;
  const createdAt = new Date(match[1]);
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: match[2] };
}

const invalid = (message: string, details: Record<string, unknown>) =>
  err<never>(failure('request.invalid', message, details));

/** The delivery log, newest first, with keyset paging. */
export async function queryDeliveries(
  db: Db,
  query: DeliveryQuery,
): Promise<Result<{ items: Delivery[]; nextCursor: string | null }>> {
  const limit = Math.max(1, Math.min(1000, Math.floor(query.limit)));
  let q = db
    .selectFrom('email_deliveries')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  for (const key of ['userId', 'runId'] as const) {
    const value = query[key];
    if (value !== undefined && !isUuid(value)) return invalid(`${key} must be a UUID`, { [key]: value });
  }
  if (query.userId !== undefined) q = q.where('user_id', '=', query.userId);
  if (query.runId !== undefined) q = q.where('run_id', '=', query.runId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.to !== undefined) q = q.where(sql`lower(to_address)`, '=', query.to.toLowerCase());
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    if (!after) return invalid('cursor is not one this server issued', { cursor: query.cursor });
    q = q.where(sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return ok({
    items: page.map(toDelivery),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  });
}

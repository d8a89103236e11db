import {
  correlationFor,
  err,
  failure,
  isUuid,
  newId,
  ok,
  type RequestContext,
  type Result,
} from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { renderEmail } from './render.ts';
import type { EmailMessage, NotificationsDeps } from './types.ts';

export const DELIVER_QUEUE = 'notifications.deliver';

const INSERT_CHUNK = 500;

export interface DeliverJob {
  deliveryId: string;
}

function invalidMessage(index: number, message: string, details: Record<string, unknown>) {
  return err<never>(failure('request.invalid', `message ${index}: ${message}`, { index, ...details }));
}

/**
 * Renders every message first, so one bad template queues nothing; then writes the rows and their jobs
 * in the caller's transaction: a rolled-back workflow step leaves neither a log row nor a mail behind.
 */
export async function queueEmails(
  deps: NotificationsDeps,
  tx: Tx,
  ctx: RequestContext,
  messages: readonly EmailMessage[],
): Promise<Result<string[]>> {
  if (messages.length === 0) return ok([]);
  const now = deps.clock.now();
  const rows = [];
  for (const [index, message] of messages.entries()) {
    const to = message.to?.trim() ?? '';
    if (!/^[^\s@]+@[^\s@]+$/.test(to) && !/<[^\s@<>]+@[^\s@<>]+>\s*$/.test(to))
      return invalidMessage(index, 'has no valid recipient address', { to: message.to });
    for (const key of ['userId', 'runId'] as const) {
      const value = message[key];
      if (value !== undefined && value !== null && !isUuid(value))
        return invalidMessage(index, `${key} must be a UUID`, { [key]: value });
    }
    const rendered = renderEmail(message, deps.settings);
    if (!rendered.ok)
      return err({
        ...rendered.error,
        details: { ...rendered.error.details, index, template: message.template },
      });
    rows.push({
      id: newId(),
      to_address: to,
      subject: rendered.value.subject,
      text_body: rendered.value.text,
      html_body: rendered.value.html,
      template: message.template,
      locale: rendered.value.locale,
      purpose: message.purpose ?? null,
      user_id: message.userId ?? null,
      run_id: message.runId ?? null,
      status: 'queued' as const,
      created_at: now,
      updated_at: now,
      sent_at: null,
      correlation_id: message.userId ? correlationFor(ctx, message.userId) : ctx.correlationId,
    });
  }
  // Chunked: one statement per 500 rows stays far below PostgreSQL's 65 535 bind parameters.
  for (let i = 0; i < rows.length; i += INSERT_CHUNK)
    await tx
      .insertInto('email_deliveries')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  await deps.jobs.sendMany<DeliverJob>(
    DELIVER_QUEUE,
    rows.map((r) => ({ deliveryId: r.id })),
    { tx },
  );
  deps.logger.debug({ deliveries: rows.length, correlationId: ctx.correlationId }, 'e-mails queued');
  return ok(rows.map((r) => r.id));
}

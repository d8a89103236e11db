import type { Clock, Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { MailTransport } from './transport.ts';
import type { NotificationSettings } from './types.ts';

export interface DeliverDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: NotificationSettings;
  /** null when no SMTP server is configured. */
  transport: MailTransport | null;
}

interface SmtpError {
  message: string;
  code?: string;
  responseCode?: number;
}

function asSmtpError(error: unknown): SmtpError {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const e = error as { message?: unknown; code?: unknown; responseCode?: unknown };
  return {
    message: typeof e.message === 'string' ? e.message : String(error),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
  };
}

/**
 * Whether sending again can help. A 5xx reply refuses this message for good (unknown mailbox, policy),
 * except a failed login: that is our configuration, which an operator can fix while retries run.
 * 4xx replies (greylisting, a full queue) and network trouble are temporary. An envelope error
 * without a reply (no valid recipient address) is ours and final.
 */
export function isPermanent(error: SmtpError): boolean {
  if (error.code === 'EAUTH') return false;
  if (error.responseCode !== undefined) return error.responseCode >= 500;
  return error.code === 'EENVELOPE' || error.code === 'ECONFIG';
}

/** Message-ID domain from the From address, so a resent copy carries the same Message-ID. */
function messageDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'joinery.invalid';
}

/** Sends one queued delivery. See Notifications.deliver for the contract. */
export async function deliverOne(deps: DeliverDeps, id: string): Promise<void> {
  const { db, clock, logger, settings, transport } = deps;
  const row = await db.selectFrom('email_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) {
    logger.warn({ deliveryId: id }, 'e-mail delivery not found; nothing to send');
    return;
  }
  // Sent, failed and not_configured are final: a replayed job must not mail twice.
  if (row.status !== 'queued') return;
  const log = { deliveryId: id, template: row.template, purpose: row.purpose };

  if (!transport) {
    const marked = await db
      .updateTable('email_deliveries')
      .set({ status: 'not_configured', updated_at: clock.now() })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .returning('id')
      .executeTakeFirst();
    if (marked) logger.warn(log, 'e-mail not sent: no SMTP server is configured (JOINERY_SMTP_HOST)');
    return;
  }

  let sent: { messageId: string; response: string };
  try {
    sent = await transport.send({
      from: settings.from,
      to: row.to_address,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      messageId: `${id}@${messageDomain(settings.from)}`,
    });
  } catch (error) {
    await recordFailure(deps, id, row.attempts + 1, asSmtpError(error), log);
    return;
  }
  const now = clock.now();
  await db
    .updateTable('email_deliveries')
    .set((eb) => ({
      status: 'sent',
      message_id: sent.messageId,
      sent_at: now,
      updated_at: now,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
  logger.info({ ...log, messageId: sent.messageId, attempts: row.attempts + 1 }, 'e-mail sent');
}

async function recordFailure(
  deps: DeliverDeps,
  id: string,
  attempts: number,
  error: SmtpError,
  log: Record<string, unknown>,
): Promise<void> {
  const permanent = isPermanent(error);
  // The attempt after the last retry: the job will not run again, so the log must not say queued.
  const exhausted = attempts > deps.settings.retryLimit;
  const final = permanent || exhausted;
  const lastError = error.message.slice(0, 2000);
  await deps.db
    .updateTable('email_deliveries')
    .set({
      attempts,
      last_error: lastError,
      updated_at: deps.clock.now(),
      ...(final ? { status: 'failed' as const } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
  const context = { ...log, attempts, code: error.code, responseCode: error.responseCode, error: lastError };
  if (final) {
    deps.logger.warn(
      context,
      permanent ? 'e-mail refused permanently' : 'e-mail failed after its last retry',
    );
    return;
  }
  deps.logger.warn(context, 'e-mail not sent yet; the job will retry');
  throw new Error(`e-mail delivery ${id}: temporary failure (attempt ${attempts}): ${lastError}`);
}

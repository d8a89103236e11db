import { createTransport } from 'nodemailer';
import type { SmtpSettings } from './types.ts';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  /** Without angle brackets. */
  messageId: string;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<{ messageId: string; response: string }>;
  close(): void;
}

type Pool = ReturnType<typeof createPool>;

function createPool(smtp: SmtpSettings) {
  return createTransport({
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    // A job waits for this send: fail fast enough that a dead server costs a retry, not the job's lease.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 45_000,
    // No logger and no debug: nodemailer would log message bodies, which may hold activation codes.
    logger: false,
    debug: false,
  });
}

/**
 * The pooled SMTP transport, created on the first send: a process that never mails (or has no SMTP
 * configured) opens no connection and resolves no host.
 */
export function lazyTransport(smtp: SmtpSettings): MailTransport {
  let pool: Pool | null = null;
  return {
    async send(mail) {
      pool ??= createPool(smtp);
      const info = await pool.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html !== null ? { html: mail.html } : {}),
        messageId: `<${mail.messageId}>`,
      });
      return { messageId: info.messageId, response: info.response };
    },
    close() {
      pool?.close();
      pool = null;
    },
  };
}

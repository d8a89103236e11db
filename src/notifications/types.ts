import type { Clock, Logger, RequestContext, Result } from '../core/index.ts';
import type { Db, Tx } from '../db/index.ts';
import type { Jobs } from '../jobs/index.ts';

export const emailTemplates = [
  'welcome',
  'onboardingReminder',
  'activationCode',
  'activationConfirmed',
  'managerUserMoved',
  'managerBeforeLastDay',
  'managerOnLastDay',
  'managerAfterLastDay',
  'custom',
] as const;

export type EmailTemplate = (typeof emailTemplates)[number];

/** The templates Joinery ships texts for; 'custom' is all caller-supplied. */
export type BuiltInTemplate = Exclude<EmailTemplate, 'custom'>;

export interface EmailPerson {
  userName: string;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  mail: string | null;
  department: string | null;
  title: string | null;
  /** ISO timestamps. Exactly midnight UTC means a calendar date (shown without a time, not shifted). */
  employeeHireDate: string | null;
  employeeLeaveDateTime: string | null;
  /** IANA zone used to format dates; null (or unknown) -> settings.defaultTimezone. */
  timezone: string | null;
}

export interface EmailChange {
  attribute: string;
  before: unknown;
  after: unknown;
}

export interface EmailVars {
  user: EmailPerson;
  manager: EmailPerson | null;
  activation?: { code: string; url: string; validFrom: string; expiresAt: string };
  /** For mover notices. */
  changes?: EmailChange[];
}

export interface EmailMessage {
  to: string;
  template: EmailTemplate;
  vars: EmailVars;
  /** e.g. 'fr' or 'fr-FR'; unknown or null -> settings.defaultLocale -> 'en'. */
  locale?: string | null;
  /** Custom subject with {{placeholders}}, overrides the template's. */
  subject?: string;
  /** Custom plain-text body with {{placeholders}}, overrides the template's. */
  body?: string;
  /** Free label for the log, e.g. 'activationCode'. */
  purpose?: string;
  userId?: string | null;
  /** Workflow run that sent it. */
  runId?: string | null;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  rejectUnauthorized: boolean;
  user?: string;
  password?: string;
}

export interface NotificationSettings {
  smtp: SmtpSettings | null;
  from: string;
  defaultLocale: string;
  defaultTimezone: string;
  /** Retries after the first attempt; the last one that fails temporarily marks the delivery failed. */
  retryLimit: number;
}

export interface NotificationsDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  logger: Logger;
  settings: NotificationSettings;
}

export type DeliveryStatus = 'queued' | 'sent' | 'failed' | 'not_configured';

export interface Delivery {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  template: string | null;
  locale: string | null;
  purpose: string | null;
  userId: string | null;
  runId: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface DeliveryQuery {
  userId?: string;
  runId?: string;
  status?: DeliveryStatus;
  to?: string;
  /** The nextCursor of the previous page. */
  cursor?: string;
  limit: number;
}

export interface Notifications {
  /**
   * Renders now (so later edits to a person don't change a queued mail), inserts email_deliveries rows
   * and enqueues one DELIVER_QUEUE job per row, all in the caller's transaction. Returns the delivery
   * ids. A template render failure is a Failure with code notifications.invalid_template.
   */
  queue(tx: Tx, ctx: RequestContext, messages: readonly EmailMessage[]): Promise<Result<string[]>>;
  /**
   * Job handler for one delivery: sends through SMTP and marks it sent; a temporary failure throws so
   * the job retries; a permanent 5xx refusal marks it failed. A row no longer queued is left alone.
   */
  deliver(deliveryId: string): Promise<void>;
  deliveries(query: DeliveryQuery): Promise<Result<{ items: Delivery[]; nextCursor: string | null }>>;
  getDelivery(id: string): Promise<Result<Delivery>>;
  /** Validates a custom subject/body: unknown {{placeholders}} or bad syntax -> invalid_template. */
  checkTemplate(text: string): Result<void>;
  /** The placeholder names a template may use (for docs and error messages). */
  placeholders(): readonly string[];
  /** Closes the pooled SMTP transport. */
  close(): Promise<void>;
}

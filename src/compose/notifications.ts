import {
  createNotifications,
  DELIVER_QUEUE,
  type DeliverJob,
  type Notifications,
  type SmtpSettings,
} from '../notifications/index.ts';
import type { ModuleDeps } from './inbound.ts';

/** SMTP settings from the configuration; null (mail recorded as not_configured) without a host. */
function smtpSettings(config: ModuleDeps['config']): SmtpSettings | null {
  if (!config.smtpHost) return null;
  return {
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.smtpSecure,
    requireTls: config.smtpRequireTls,
    rejectUnauthorized: config.smtpRejectUnauthorized,
    ...(config.smtpUser ? { user: config.smtpUser } : {}),
    ...(config.smtpPassword ? { password: config.smtpPassword } : {}),
  };
}

/** E-mail templates and delivery, with the delivery job (one per mail, retried with growing delays). */
export function notificationsWithJobs(deps: ModuleDeps): Notifications {
  const { db, clock, jobs, logger, config } = deps;
  const notifications = createNotifications({
    db,
    clock,
    jobs,
    logger: logger.child({ component: 'notifications' }),
    settings: {
      smtp: smtpSettings(config),
      from: config.emailFrom,
      defaultLocale: config.emailLocale,
      defaultTimezone: config.defaultTimezone,
      retryLimit: config.emailRetryLimit,
    },
  });
  // The handler counts attempts against the same retryLimit and marks the last failing one 'failed'.
  // 5 s doubling with jitter: the 8 default retries span about 21 to 42 minutes, past greylisting
  // (typically 1-15 minutes) and a relay restart.
  jobs.register<DeliverJob>(DELIVER_QUEUE, (job) => notifications.deliver(job.data.deliveryId), {
    batchSize: 5,
    workers: 2,
    pollingIntervalSeconds: 1,
    retryLimit: config.emailRetryLimit,
    retryDelaySeconds: 5,
    retryBackoff: true,
    // A batch must end before its jobs expire (an expired job runs again: a second mail). One send is
    // bounded by the transport's timeouts (about 75 s against a silent server): 5 of them fit easily.
    expireInSeconds: 900,
  });
  return notifications;
}

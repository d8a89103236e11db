import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every setting Joinery reads. Each one has an environment variable, a config-file key (the object key),
 * a zod schema that parses the raw string, a default and a description. The README's configuration table
 * is generated from this list (`npm run docs:config`), and `npm run check` fails if it drifts.
 */
export interface SettingSpec<T> {
  env: string;
  schema: z.ZodType<T>;
  default: string | undefined;
  description: string;
  secret?: boolean;
}

function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

const port = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(0, 'must be 0 (any free port) to 65535')
  .max(65535, 'must be 0 (any free port) to 65535');

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`);

const cron = z
  .string()
  .regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron expression, for example "17 3 * * *"');

const flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

/** An IANA zone this Node.js knows (Intl throws RangeError for any other). */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone, for example Europe/Paris or UTC');

/** Comma-separated IP addresses (IPv4 or IPv6), each written out in full; empty means none. */
const addressList = z.string().transform((value, ctx) => {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const bad = items.find((item) => isIP(item) === 0);
  if (bad) {
    ctx.addIssue({
      code: 'custom',
      message: `"${bad}" is not an IP address (list addresses, comma-separated)`,
    });
    return z.NEVER;
  }
  return items;
});

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL');

export const settings = {
  host: setting({
    env: 'JOINERY_HOST',
    schema: z.string().min(1, 'must not be empty'),
    default: '127.0.0.1',
    description: 'Interface the HTTP server listens on. Use 0.0.0.0 to listen on every interface.',
  }),
  port: setting({
    env: 'JOINERY_PORT',
    schema: port,
    default: '8080',
    description: 'TCP port of the HTTP server; 0 picks a free port (the chosen URL is logged).',
  }),
  dataDir: setting({
    env: 'JOINERY_DATA_DIR',
    schema: z.string().min(1, 'must not be empty'),
    default: './data',
    description:
      'Folder for the embedded store and the bootstrap admin token file. Locked by one Joinery process at a time.',
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    schema: postgresUrl.optional(),
    default: undefined,
    description:
      'PostgreSQL connection URL. When set, Joinery uses this server instead of the embedded store.',
    secret: true,
  }),
  databasePoolSize: setting({
    env: 'JOINERY_DATABASE_POOL_SIZE',
    schema: positiveInt(200),
    default: '10',
    description: 'Connections per process to PostgreSQL (ignored on the embedded store, which has one).',
  }),
  logLevel: setting({
    env: 'JOINERY_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'Minimum level of the JSON log written to standard output.',
  }),
  deletedRetentionDays: setting({
    env: 'JOINERY_DELETED_RETENTION_DAYS',
    schema: positiveInt(3650),
    default: '30',
    description: 'Days a soft-deleted user or group can be restored before the purge job removes it.',
  }),
  scimMaxResults: setting({
    env: 'JOINERY_SCIM_MAX_RESULTS',
    schema: positiveInt(10000),
    default: '1000',
    description: 'Largest page a SCIM list or search returns; a larger `count` is lowered to it.',
  }),
  scimBulkMaxOperations: setting({
    env: 'JOINERY_SCIM_BULK_MAX_OPERATIONS',
    schema: positiveInt(10000),
    default: '1000',
    description: 'Most operations one SCIM Bulk request may carry (advertised; more is a 413).',
  }),
  scimBulkMaxPayloadBytes: setting({
    env: 'JOINERY_SCIM_BULK_MAX_PAYLOAD_BYTES',
    schema: positiveInt(104857600),
    default: '1048576',
    description:
      'Largest SCIM Bulk body in bytes (advertised; larger is a 413). Other SCIM bodies may be 4 times this.',
  }),
  inboundBulkMaxOperations: setting({
    env: 'JOINERY_INBOUND_BULK_MAX_OPERATIONS',
    schema: positiveInt(10000),
    default: '50',
    description:
      'Most operations one inbound bulkUpload may carry (Entra sends at most 50); more is a 413 naming the limit.',
  }),
  inboundMaxPayloadBytes: setting({
    env: 'JOINERY_INBOUND_MAX_PAYLOAD_BYTES',
    schema: positiveInt(1073741824),
    default: '104857600',
    description: 'Largest inbound bulkUpload or CSV body in bytes; larger is a 413.',
  }),
  inboundBatchSize: setting({
    env: 'JOINERY_INBOUND_BATCH_SIZE',
    schema: positiveInt(10000),
    default: '500',
    description:
      'HR records processed per transaction. Larger batches load faster; smaller ones show results sooner.',
  }),
  outboundBatchSize: setting({
    env: 'JOINERY_OUTBOUND_BATCH_SIZE',
    schema: positiveInt(10000),
    default: '500',
    description:
      'Objects one outbound export batch takes (decided, exported concurrently, committed together).',
  }),
  outboundRetryBaseSeconds: setting({
    env: 'JOINERY_OUTBOUND_RETRY_BASE_SECONDS',
    schema: positiveInt(86400),
    default: '30',
    description: 'First retry delay of an object whose export failed (escrow); it doubles per attempt.',
  }),
  outboundRetryMaxSeconds: setting({
    env: 'JOINERY_OUTBOUND_RETRY_MAX_SECONDS',
    schema: positiveInt(604800),
    default: '3600',
    description: 'Longest escrow retry delay of one object.',
  }),
  outboundQuarantineRetrySeconds: setting({
    env: 'JOINERY_OUTBOUND_QUARANTINE_RETRY_SECONDS',
    schema: positiveInt(86400),
    default: '300',
    description:
      'First retry of a quarantined application; it doubles per quarantine in a row (at most a day).',
  }),
  outboundLeaseSeconds: setting({
    env: 'JOINERY_OUTBOUND_LEASE_SECONDS',
    schema: positiveInt(3600),
    default: '60',
    description:
      "How long an exporter's claim on an application lasts without renewal (how soon another copy takes over after a crash).",
  }),
  inboundLogRetentionDays: setting({
    env: 'JOINERY_INBOUND_LOG_RETENTION_DAYS',
    schema: positiveInt(3650),
    default: '30',
    description:
      'Days finished inbound runs, their records (raw HR payloads) and provisioning log entries are kept.',
  }),
  secretsKey: setting({
    env: 'JOINERY_SECRETS_KEY',
    schema: z
      .string()
      .refine(
        (v) => /^[0-9a-fA-F]{64}$/.test(v.trim()) || Buffer.from(v.trim(), 'base64').length === 32,
        'must be 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)',
      )
      .optional(),
    default: undefined,
    description:
      'Key that encrypts stored credentials (HR pull sources). Unset: a key is generated in `<dataDir>/secrets.key`; with several copies on PostgreSQL set the same key everywhere.',
    secret: true,
  }),
  workflowsSchedule: setting({
    env: 'JOINERY_WORKFLOWS_SCHEDULE',
    schema: cron,
    default: '* * * * *',
    description:
      'Cron schedule (UTC) of the lifecycle-workflow scheduler pass that finds people due for time-based and inactivity triggers.',
  }),
  defaultTimezone: setting({
    env: 'JOINERY_DEFAULT_TIMEZONE',
    schema: timeZone,
    default: 'UTC',
    description:
      "IANA time zone for people whose `timezone` attribute is empty or unknown, wherever their local day matters: a date-only leave date from HR, a workflow's time of day, an activation code's validity.",
  }),
  workflowsBatchSize: setting({
    env: 'JOINERY_WORKFLOWS_BATCH_SIZE',
    schema: positiveInt(10000),
    default: '200',
    description: 'Workflow runs one executor batch takes (their tasks run concurrently, one run in order).',
  }),
  workflowsTaskRetryLimit: setting({
    env: 'JOINERY_WORKFLOWS_TASK_RETRY_LIMIT',
    schema: positiveInt(100),
    default: '3',
    description:
      'Automatic retries of a workflow task that failed in a retryable way (an outage); then the run fails and an admin can retry it.',
  }),
  publicUrl: setting({
    env: 'JOINERY_PUBLIC_URL',
    schema: z.url({ error: 'must be an absolute URL, for example https://joinery.example.com' }).optional(),
    default: undefined,
    description:
      "Address people use to reach Joinery, for links in e-mails (the activation page). Unset: the HTTP server's own host and port.",
  }),
  smtpHost: setting({
    env: 'JOINERY_SMTP_HOST',
    schema: z.string().min(1, 'must not be empty').optional(),
    default: undefined,
    description:
      'SMTP server for e-mail. Unset: e-mails are recorded in the delivery log as `not_configured` and not sent.',
  }),
  smtpPort: setting({
    env: 'JOINERY_SMTP_PORT',
    schema: port,
    default: '587',
    description: 'SMTP server port (587 submission with STARTTLS, 465 implicit TLS, 25 relay).',
  }),
  smtpSecure: setting({
    env: 'JOINERY_SMTP_SECURE',
    schema: flag,
    default: 'false',
    description: 'true: TLS from the first byte (port 465). false: plain, upgraded by STARTTLS when offered.',
  }),
  smtpRequireTls: setting({
    env: 'JOINERY_SMTP_REQUIRE_TLS',
    schema: flag,
    default: 'false',
    description: 'Refuse to send unless the server upgrades the connection with STARTTLS.',
  }),
  smtpRejectUnauthorized: setting({
    env: 'JOINERY_SMTP_REJECT_UNAUTHORIZED',
    schema: flag,
    default: 'true',
    description:
      "Check the SMTP server's TLS certificate. Set false only for a test server with a self-signed one.",
  }),
  smtpUser: setting({
    env: 'JOINERY_SMTP_USER',
    schema: z.string().min(1, 'must not be empty').optional(),
    default: undefined,
    description: 'SMTP AUTH user name (unset: no authentication).',
  }),
  smtpPassword: setting({
    env: 'JOINERY_SMTP_PASSWORD',
    schema: z.string().min(1, 'must not be empty').optional(),
    default: undefined,
    description: 'SMTP AUTH password.',
    secret: true,
  }),
  emailFrom: setting({
    env: 'JOINERY_EMAIL_FROM',
    schema: z.string().min(3, 'must be an address, for example "Joinery <no-reply@example.com>"'),
    default: 'Joinery <no-reply@joinery.invalid>',
    description: 'From address of every e-mail Joinery sends.',
  }),
  emailLocale: setting({
    env: 'JOINERY_EMAIL_LOCALE',
    schema: z.string().regex(/^[a-z]{2}(-[A-Za-z]{2})?$/, 'must be a language tag such as en or fr-FR'),
    default: 'en',
    description: 'Language of e-mail templates for people whose `preferredLanguage` has none of its own.',
  }),
  emailRetryLimit: setting({
    env: 'JOINERY_EMAIL_RETRY_LIMIT',
    schema: positiveInt(100),
    default: '8',
    description:
      'Retries (with growing delays) of an e-mail the SMTP server refused temporarily or could not take.',
  }),
  activationCodeLength: setting({
    env: 'JOINERY_ACTIVATION_CODE_LENGTH',
    schema: positiveInt(64).refine((n) => n >= 6, 'must be at least 6'),
    default: '10',
    description: 'Characters in a day-1 activation code (from an alphabet without look-alike characters).',
  }),
  activationCodeLifetimeDays: setting({
    env: 'JOINERY_ACTIVATION_CODE_LIFETIME_DAYS',
    schema: positiveInt(365),
    default: '14',
    description:
      "Days an activation code stays usable, counted from the start of the hire date in the person's time zone.",
  }),
  activationVerification: setting({
    env: 'JOINERY_ACTIVATION_VERIFICATION',
    schema: z.enum(['employeeId', 'employeeHireDate', 'personalEmail', 'externalId']),
    default: 'employeeId',
    description:
      'The fact a new starter gives with the code to prove who they are: employeeId, employeeHireDate (YYYY-MM-DD), personalEmail or externalId.',
  }),
  activationMaxFailures: setting({
    env: 'JOINERY_ACTIVATION_MAX_FAILURES',
    schema: positiveInt(100),
    default: '5',
    description: 'Failed activation attempts for one person before their activation locks.',
  }),
  activationClientMaxFailures: setting({
    env: 'JOINERY_ACTIVATION_CLIENT_MAX_FAILURES',
    schema: positiveInt(10000),
    default: '20',
    description: 'Failed activation attempts from one client address before that address is locked out.',
  }),
  trustedProxies: setting({
    env: 'JOINERY_TRUSTED_PROXIES',
    schema: addressList,
    default: '',
    description:
      "Addresses of your reverse proxies (comma-separated). A request from one of them is taken to come from the last address in X-Forwarded-For that is not a proxy, for the activation lockout per client; any other request, from the connection's address (X-Forwarded-For ignored).",
  }),
  activationLockoutMinutes: setting({
    env: 'JOINERY_ACTIVATION_LOCKOUT_MINUTES',
    schema: positiveInt(10080),
    default: '15',
    description:
      'How long a lockout (per person or per client address) lasts; failures older than this are forgotten.',
  }),
  passwordMinLength: setting({
    env: 'JOINERY_PASSWORD_MIN_LENGTH',
    schema: positiveInt(256).refine((n) => n >= 8, 'must be at least 8'),
    default: '12',
    description: 'Shortest password a new starter may set on the activation page.',
  }),
  purgeSchedule: setting({
    env: 'JOINERY_PURGE_SCHEDULE',
    schema: cron,
    default: '17 3 * * *',
    description: 'Cron schedule (UTC) of the job that purges soft-deleted objects past their retention.',
  }),
  eventPollMs: setting({
    env: 'JOINERY_EVENT_POLL_MS',
    schema: positiveInt(60_000),
    default: '250',
    description: 'How often the event dispatcher looks for new events when it has not been woken directly.',
  }),
  shutdownTimeoutSeconds: setting({
    env: 'JOINERY_SHUTDOWN_TIMEOUT_SECONDS',
    schema: positiveInt(3600),
    default: '30',
    description:
      'On SIGTERM, how long in-flight requests and jobs may take to finish before the process exits.',
  }),
  configFile: setting({
    env: 'JOINERY_CONFIG_FILE',
    schema: z.string().min(1).optional(),
    default: undefined,
    description:
      'Optional JSON file whose keys are the setting names in this table (for example "port"); environment variables win over it.',
  }),
} as const;

export type SettingKey = keyof typeof settings;

export type Config = {
  [K in SettingKey]: (typeof settings)[K] extends SettingSpec<infer T> ? T : never;
};

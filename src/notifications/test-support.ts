// Helpers for this module's tests only.
import { setTimeout as sleep } from 'node:timers/promises';
import { openTestDatabase } from '../../test/database.ts';
import { createLogger, type Logger, systemClock, systemContext, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type Jobs } from '../jobs/index.ts';
import {
  createNotifications,
  DELIVER_QUEUE,
  type DeliverJob,
  type Delivery,
  type EmailMessage,
  type EmailPerson,
  type NotificationSettings,
  type Notifications,
} from './index.ts';

/** Retries of the test queue; settings.retryLimit matches it, as the composition does. */
export const RETRY_LIMIT = 3;

export interface Harness {
  database: Database;
  jobs: Jobs;
  /** Every log line written by the notifications made here, as parsed JSON. */
  logs: Record<string, unknown>[];
  /** A notifications instance with these settings; the queue's jobs run on the latest one made. */
  notifications(settings: Partial<NotificationSettings>): Notifications;
  /** Queues in a transaction of its own and returns the ids. */
  queue(n: Notifications, messages: EmailMessage[]): Promise<string[]>;
  /** Polls the delivery log until `until` holds. */
  waitFor(n: Notifications, id: string, until: (d: Delivery) => boolean): Promise<Delivery>;
  close(): Promise<void>;
}

export const baseSettings: NotificationSettings = {
  smtp: null,
  from: 'Joinery <no-reply@joinery.test>',
  defaultLocale: 'en',
  defaultTimezone: 'UTC',
  retryLimit: RETRY_LIMIT,
};

export function smtpAt(port: number) {
  return { host: '127.0.0.1', port, secure: false, requireTls: false, rejectUnauthorized: true };
}

export function person(overrides: Partial<EmailPerson> = {}): EmailPerson {
  return {
    userName: 'ada@example.test',
    displayName: 'Ada Lovelace',
    givenName: 'Ada',
    familyName: 'Lovelace',
    mail: 'ada@example.test',
    department: 'Engineering',
    title: 'Analyst',
    employeeHireDate: '2026-03-02T00:00:00.000Z',
    employeeLeaveDateTime: null,
    timezone: 'Europe/Paris',
    ...overrides,
  };
}

function memoryLogger(lines: Record<string, unknown>[]): Logger {
  return createLogger('debug', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
}

/** A database, a started job queue (workers when `work`) and a DELIVER_QUEUE handler. */
export async function startHarness(options: { work: boolean }): Promise<Harness> {
  const database = await openTestDatabase();
  const logs: Record<string, unknown>[] = [];
  const logger = memoryLogger(logs);
  const jobs = createJobs({ database, logger });
  const made: Notifications[] = [];
  jobs.register<DeliverJob>(
    DELIVER_QUEUE,
    async (job) => {
      const current = made[made.length - 1];
      if (!current) throw new Error('no notifications instance yet');
      await current.deliver(job.data.deliveryId);
    },
    {
      retryLimit: RETRY_LIMIT,
      retryDelaySeconds: 1,
      retryBackoff: false,
      pollingIntervalSeconds: 0.5,
      batchSize: 10,
    },
  );
  await jobs.start({ work: options.work });
  return {
    database,
    jobs,
    logs,
    notifications(settings) {
      const n = createNotifications({
        db: database.db,
        clock: systemClock,
        jobs,
        logger,
        settings: { ...baseSettings, ...settings },
      });
      made.push(n);
      return n;
    },
    async queue(n, messages) {
      return unwrap(
        await database.db.transaction().execute((tx) => n.queue(tx, systemContext('test'), messages)),
      );
    },
    async waitFor(n, id, until) {
      for (let i = 0; ; i++) {
        const d = unwrap(await n.getDelivery(id));
        if (until(d)) return d;
        if (i > 600) throw new Error(`delivery ${id} stayed ${d.status} (attempts ${d.attempts})`);
        await sleep(50);
      }
    },
    async close() {
      await jobs.stop({ graceful: false });
      await Promise.all(made.map((n) => n.close()));
      await database.close();
    },
  };
}

/** The DELIVER_QUEUE job of a delivery, once its outcome is stored. */
export async function settledJob(
  database: Database,
  deliveryId: string,
): Promise<{ state: string; retry_count: number }> {
  for (let i = 0; ; i++) {
    const { rows } = await database.executor.executeSql(
      `select state::text as state, retry_count from pgboss.job where name = $1 and data->>'deliveryId' = $2`,
      [DELIVER_QUEUE, deliveryId],
    );
    const row = rows[0] as { state: string; retry_count: number } | undefined;
    if (row && row.state !== 'created' && row.state !== 'active' && row.state !== 'retry') return row;
    if (i > 600) throw new Error(`the job of delivery ${deliveryId} never settled (${row?.state})`);
    await sleep(50);
  }
}

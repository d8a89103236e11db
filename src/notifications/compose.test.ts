import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/peers/smtp.ts';
import { notificationsWithJobs } from '../compose/notifications.ts';
import { loadConfig } from '../config/index.ts';
import { silentLogger, systemClock, systemContext, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createJobs, type Jobs } from '../jobs/index.ts';
import { DELIVER_QUEUE, type Notifications } from './index.ts';
import { person } from './test-support.ts';

// The composition reads the SMTP and e-mail settings from the configuration and registers the queue.
let database: Database;
let jobs: Jobs;
let smtp: TestSmtpServer;
let notifications: Notifications;

beforeAll(async () => {
  database = await openTestDatabase();
  smtp = await startSmtpServer({ auth: { user: 'mailer', password: 'from-config' } });
  const config = loadConfig({
    JOINERY_SMTP_HOST: '127.0.0.1',
    JOINERY_SMTP_PORT: String(smtp.port),
    JOINERY_SMTP_USER: 'mailer',
    JOINERY_SMTP_PASSWORD: 'from-config',
    JOINERY_EMAIL_FROM: 'People Team <people@corp.test>',
    JOINERY_EMAIL_LOCALE: 'de',
    JOINERY_EMAIL_RETRY_LIMIT: '2',
    JOINERY_DEFAULT_TIMEZONE: 'Asia/Tokyo',
  });
  jobs = createJobs({ database, logger: silentLogger });
  notifications = notificationsWithJobs({
    db: database.db,
    clock: systemClock,
    jobs,
    logger: silentLogger,
    config,
    directory: null as never,
    secrets: null as never,
  });
  await jobs.start({ work: true });
});
afterAll(async () => {
  await jobs.stop({ graceful: false });
  await notifications.close();
  await database.close();
  await smtp.close();
});

it('sends with the configured server, credentials, sender, language and time zone', async () => {
  const user = person({ timezone: null, employeeLeaveDateTime: '2026-06-30T16:00:00.000Z' });
  await database.db.transaction().execute(async (tx) =>
    unwrap(
      await notifications.queue(tx, systemContext('t'), [
        {
          to: 'boss@corp.test',
          template: 'managerOnLastDay',
          vars: { user, manager: person({ displayName: 'Boss' }) },
        },
      ]),
    ),
  );
  const mail = await smtp.waitFor((m) => m.to.includes('boss@corp.test'));
  expect(mail.from).toBe('people@corp.test');
  expect(mail.subject).toBe('Heute ist der letzte Arbeitstag von Ada Lovelace');
  // 16:00 UTC is 01:00 the next day in the default zone.
  expect(mail.text).toContain('Die Zugriffe enden am 1. Juli 2026 um 01:00.');
});

it('registers the delivery queue with the configured retry limit and back-off', async () => {
  const { rows } = await database.executor.executeSql(
    'select retry_limit, retry_backoff from pgboss.queue where name = $1',
    [DELIVER_QUEUE],
  );
  expect(rows).toEqual([{ retry_limit: 2, retry_backoff: true }]);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { createToken } from '../../src/auth/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type FakeClock, fakeClock, silentLogger, systemContext } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { openTestDatabase } from '../database.ts';
import { bulkBody, JOINERY_EXT, worker } from '../inbound.ts';
import { eventually } from '../outbound.ts';
import { browserAvailable, launchBrowser } from '../peers/browser.ts';
import { startSmtpServer } from '../peers/smtp.ts';
import { request } from './http.ts';

/**
 * The must-show, end to end on the real HTTP server: HR uploads a future hire; on the hire date
 * (fake clock) the account is enabled, the activation code reaches a real SMTP server, the person
 * activates in a real browser and the admin sees them activated. Then HR sends their last day, and the
 * account is disabled at the end of that day in their own time zone.
 */
describe.skipIf(!browserAvailable())('day one, from HR to an activated account', { timeout: 180_000 }, () => {
  let database: Database;
  let app: App;
  let dataDir: string;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let browser: Browser;
  let clock: FakeClock;
  let url = '';
  let admin = '';
  let upload = '';
  let userId = '';

  const hire = (extra: Record<string, unknown> = {}, active = false) =>
    worker('W100', {
      given: 'Tane',
      family: 'Walker',
      active,
      timezone: 'America/Los_Angeles',
      [JOINERY_EXT]: {
        personalEmail: 'tane.walker@home.example',
        employeeHireDate: '2026-09-14T00:00:00Z',
        ...extra,
      },
    });

  async function hr(person: Record<string, unknown>) {
    const res = await fetch(`${url}/api/v1/inbound/sources/hr/bulkUpload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${upload}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(bulkBody([person])),
    });
    expect(res.status).toBe(202);
    const location = res.headers.get('location') ?? '';
    await eventually(async () => {
      const run = await request(url, location, { token: admin });
      return (run.body as { status: string }).status === 'completed' ? true : undefined;
    });
  }

  async function at(iso: string) {
    clock.set(iso);
    await app.workflows.pass();
    await app.workflows.executeDue();
    // The executor job runs too: wait until no due run is still queued or held by it.
    await eventually(async () => {
      const row = await database.db
        .selectFrom('workflow_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['queued', 'running'])
        .where('due_at', '<=', clock.now())
        .executeTakeFirstOrThrow();
      return Number(row.n) === 0 ? true : undefined;
    });
  }

  const account = async () =>
    (await request(url, `/api/v1/users/${userId}`, { token: admin })).body as { accountEnabled: boolean };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    dataDir = await mkdtemp(join(tmpdir(), 'joinery-day-one-'));
    database = await openTestDatabase();
    clock = fakeClock('2026-09-01T12:00:00Z');
    const config = loadConfig({
      JOINERY_DATA_DIR: dataDir,
      JOINERY_HOST: '127.0.0.1',
      JOINERY_PORT: '0',
      JOINERY_SMTP_HOST: '127.0.0.1',
      JOINERY_SMTP_PORT: String(smtp.port),
      JOINERY_EVENT_POLL_MS: '50',
      // Passes are run by the test at chosen moments of the fake clock.
      JOINERY_WORKFLOWS_SCHEDULE: '0 0 1 1 *',
    });
    app = await createApp(config, { logger: silentLogger, mode: 'all', database, clock });
    url = (await app.start()).url ?? '';
    admin = (await createToken(app.tokens, systemContext('test'), { name: 'admin', scopes: ['admin'] }))
      .token;
    upload = (
      await createToken(app.tokens, systemContext('test'), { name: 'hr', scopes: ['inbound.upload'] })
    ).token;
    browser = await launchBrowser();
    for (const body of [
      {
        name: 'Day one',
        category: 'joiner',
        trigger: {
          type: 'timeBasedAttribute',
          timeBasedAttribute: 'employeeHireDate',
          offsetInDays: 0,
          timeOfDay: '00:00',
        },
        tasks: [
          { task: 'enableUserAccount' },
          { task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' } },
        ],
      },
      { template: 'offboardEmployee' },
    ]) {
      const r = await request(url, '/api/v1/workflows', { method: 'POST', token: admin, body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    await smtp?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('HR uploads a future hire: the account exists, disabled, and nothing is sent yet', async () => {
    await hr(hire());
    const users = await request(url, '/api/v1/users?employeeId=W100', { token: admin });
    userId = (users.body as { items: Array<{ id: string }> }).items[0]?.id ?? '';
    expect(userId).not.toBe('');
    expect((await account()).accountEnabled).toBe(false);
    await at('2026-09-14T06:59:00Z');
    expect((await account()).accountEnabled).toBe(false);
    expect(smtp.messages.filter((m) => m.to.includes('tane.walker@home.example'))).toEqual([]);
  });

  it('on the hire date at midnight in Los Angeles: enabled, and the code reaches the personal mailbox', async () => {
    await at('2026-09-14T07:00:00Z');
    expect((await account()).accountEnabled).toBe(true);
    const mail = await smtp.waitFor((m) => m.to.includes('tane.walker@home.example'));
    expect(mail.subject).toBe('Activate your account');
    expect(mail.text).toContain(`${url}/activate?user=`);
  });

  it('the new starter activates in a real browser with the code from the e-mail', async () => {
    const mail = await smtp.waitFor((m) => m.to.includes('tane.walker@home.example'));
    const code = /Your activation code is: (\S+)/.exec(mail.text)?.[1] ?? '';
    const link = /(http:\/\/\S+\/activate\?user=\S+)/.exec(mail.text)?.[1] ?? '';
    expect(code).not.toBe('');
    const page = await browser.newPage();
    await page.goto(link);
    await page.getByLabel('Activation code').fill(code);
    await page.getByLabel('Employee number').fill('W100');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Welcome, Tane Walker');
    await page.getByLabel('New password').fill('harbour-kettle-violet-73');
    await page.getByLabel('Repeat the password').fill('harbour-kettle-violet-73');
    await page.getByRole('button', { name: 'Activate my account' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your account is activated');
    await page.close();
    const status = await request(url, `/api/v1/users/${userId}/activation`, { token: admin });
    expect(status.body).toMatchObject({ activated: true, code: { state: 'used' } });
    await smtp.waitFor(
      (m) => m.to.includes('tane.walker@home.example') && m.subject !== 'Activate your account',
    );
  });

  it('a leaver is disabled at the end of their last day in their own time zone', async () => {
    await hr(hire({ employeeLeaveDateTime: '2026-12-18T00:00:00Z' }, true));
    // 2026-12-19T00:00 in Los Angeles (PST, UTC-8) is 08:00 UTC.
    await at('2026-12-19T07:59:00Z');
    expect(await app.inbound.disableDueLeavers()).toBe(0);
    expect((await account()).accountEnabled).toBe(true);
    await at('2026-12-19T08:00:00Z');
    expect((await account()).accountEnabled).toBe(false);
    const runs = await request(url, `/api/v1/workflows/runs?userId=${userId}`, { token: admin });
    const items = (runs.body as { items: Array<{ occurrence: string; status: string }> }).items;
    expect(items.find((r) => r.occurrence === 'employeeLeaveDateTime:2026-12-18')?.status).toMatch(
      /^completed/,
    );
  });
});

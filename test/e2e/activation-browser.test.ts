import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { createToken } from '../../src/auth/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger, systemContext } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { openTestDatabase } from '../database.ts';
import { browserAvailable, launchBrowser } from '../peers/browser.ts';
import { request } from './http.ts';

/** The browser globals the page functions use (this project compiles without the DOM types). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
  document: { activeElement: { id: string } | null };
}

/**
 * The activation page in a real Chromium against the real HTTP server (port 0 on 127.0.0.1): what a
 * new starter sees, typed and clicked, with the admin API confirming the outcome.
 */
describe.skipIf(!browserAvailable())('activation in a real browser', { timeout: 120_000 }, () => {
  let database: Database;
  let app: App;
  let dataDir: string;
  let url = '';
  let admin = '';
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'joinery-activation-browser-'));
    database = await openTestDatabase();
    const config = loadConfig({
      JOINERY_DATA_DIR: dataDir,
      JOINERY_HOST: '127.0.0.1',
      JOINERY_PORT: '0',
      JOINERY_ACTIVATION_MAX_FAILURES: '3',
      JOINERY_ACTIVATION_LOCKOUT_MINUTES: '15',
    });
    app = await createApp(config, { logger: silentLogger, mode: 'serve', database });
    url = (await app.start()).url ?? '';
    admin = (
      await createToken(app.tokens, systemContext('test'), { name: 'browser-test', scopes: ['admin'] })
    ).token;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A person created and given a code through the admin API, as HR tooling would. */
  async function starter(name: string, employeeId: string) {
    const created = await request(url, '/api/v1/users', {
      method: 'POST',
      token: admin,
      body: { userName: `${name}@example.com`, employeeId, givenName: name, familyName: 'Browser' },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const issued = await request(url, `/api/v1/users/${id}/activation/code`, {
      method: 'POST',
      token: admin,
    });
    expect(issued.status).toBe(201);
    return { id, ...(issued.body as { code: string; url: string }) };
  }

  async function step1(page: Page, code: string, employeeId: string) {
    await page.getByLabel('Activation code').fill(code);
    await page.getByLabel('Employee number').fill(employeeId);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('shows a wrong code, refuses a weak password, then activates; the admin sees it', async () => {
    const person = await starter('ana', 'EMP-100');
    expect(person.url).toBe(`${url}/activate?user=ana%40example.com`);
    const page = await browser.newPage();
    // A CSP violation (our inline script or style refused) shows as a console error.
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && m.text().includes('Content Security Policy')) cspErrors.push(m.text());
    });
    let passwordPosts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/activate/password')) passwordPosts++;
    });
    await page.goto(person.url);
    await expect.poll(() => page.getByLabel('User name').inputValue()).toBe('ana@example.com');
    // The inline style and script both passed the page's CSP: styled button, cursor in the first empty field.
    const button = page.getByRole('button', { name: 'Continue' });
    expect(
      await button.evaluate(
        (b) => (globalThis as unknown as BrowserGlobals).getComputedStyle(b).backgroundColor,
      ),
    ).toBe('rgb(31, 95, 191)');
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id))
      .toBe('code');

    await step1(page, 'WRONG-CODE', 'EMP-100');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That did not match.');

    // Typed the way people type codes off a letter: lower case, in groups.
    const typed = `${person.code.slice(0, 5)} ${person.code.slice(5)}`.toLowerCase();
    await step1(page, typed, 'EMP-100');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Welcome, ana Browser');

    // The script catches a mistyped confirmation before any request.
    await page.getByLabel('New password').fill('quartz-meadow-lantern-58');
    await page.getByLabel('Repeat the password').fill('quartz-meadow-lantern-85');
    await page.getByRole('button', { name: 'Activate my account' }).click();
    await expect.poll(() => page.locator('#mismatch').isVisible()).toBe(true);
    expect(passwordPosts).toBe(0);

    await page.getByLabel('New password').fill('Password2024!');
    await page.getByLabel('Repeat the password').fill('Password2024!');
    await page.getByRole('button', { name: 'Activate my account' }).click();
    await expect.poll(() => page.locator('ul.error').textContent()).toContain('is too common');

    await page.getByLabel('New password').fill('quartz-meadow-lantern-58');
    await page.getByLabel('Repeat the password').fill('quartz-meadow-lantern-58');
    await page.getByRole('button', { name: 'Activate my account' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your account is activated');
    expect(passwordPosts).toBe(2);
    expect(cspErrors).toEqual([]);
    await page.close();

    const status = await request(url, `/api/v1/users/${person.id}/activation`, { token: admin });
    expect(status.body).toMatchObject({ activated: true, code: { state: 'used' } });
  });

  it('locks the activation after three wrong attempts and says for how long', async () => {
    const person = await starter('bo', 'EMP-200');
    const page = await browser.newPage();
    await page.goto(person.url);
    for (let i = 0; i < 2; i++) {
      await step1(page, person.code, 'EMP-999');
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('That did not match.');
    }
    await step1(page, person.code, 'EMP-999');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Too many attempts. For your security, activation is locked: try again in 15 minutes.');
    // Even the right answers wait out the lockout.
    await step1(page, person.code, 'EMP-200');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('try again in 15 minutes');
    await page.close();

    const status = await request(url, `/api/v1/users/${person.id}/activation`, { token: admin });
    expect((status.body as { lockedUntil: string | null }).lockedUntil).not.toBeNull();
  });
});

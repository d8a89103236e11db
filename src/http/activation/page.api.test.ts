import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';
import { systemContext, unwrap } from '../../core/index.ts';
import { userCreateSchema } from '../../directory/index.ts';
import { normalizeAddress } from './client.ts';

let t: TestApp;
let seq = 0;
const adminCtx = systemContext('page-test');

beforeAll(async () => {
  t = await createTestApp({
    env: { JOINERY_ACTIVATION_VERIFICATION: 'personalEmail', JOINERY_ACTIVATION_CLIENT_MAX_FAILURES: '1000' },
  });
  await t.app.jobs.start({ work: false });
});
afterAll(async () => {
  await t?.close();
});

async function starter(extra: Record<string, unknown> = {}) {
  const n = ++seq;
  const input = userCreateSchema.parse({
    userName: `page.starter${n}@example.com`,
    displayName: 'Zoë <Starter>',
    personalEmail: `zoe${n}@home.example`,
    ...extra,
  });
  const user = unwrap(await t.app.directory.createUser(adminCtx, input));
  return { user, code: unwrap(await t.app.activation.reissue(adminCtx, user.id)).code };
}

const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.call('POST', path, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });

const hiddenToken = (page: string) => /name="token" value="([^"]+)"/.exec(page)?.[1] ?? '';

describe('the activation page', () => {
  it('is served with a strict CSP, no caching and no framing', async () => {
    const res = await t.call('GET', '/activate');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The one inline script is allowed by its hash, so the page works under its own policy.
    const body = await res.text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(body)?.[1] ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  });

  it('asks for the fact the settings name, and prefills the user name escaped', async () => {
    const res = await t.call('GET', `/activate?user=${encodeURIComponent('"><script>alert(1)</script>')}`);
    const body = await res.text();
    expect(body).toContain('<label for="fact">Personal e-mail address</label>');
    expect(body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(body.match(/<script>/g)).toHaveLength(1);
  });

  it('shows an error in the page for a wrong code, keeping the user name', async () => {
    const { user } = await starter();
    const res = await post('/activate', {
      userName: user.userName,
      code: 'WRONG',
      fact: user.personalEmail ?? '',
    });
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(body).toContain('That did not match.');
    expect(body).toContain(`value="${user.userName}"`);
  });

  it('goes through both steps as plain form posts, escaping the name it greets', async () => {
    const { user, code } = await starter();
    const step1 = await post('/activate', { userName: user.userName, code, fact: user.personalEmail ?? '' });
    expect(step1.status).toBe(200);
    const page = await step1.text();
    expect(page).toContain('Welcome, Zoë &lt;Starter&gt;');
    const token = hiddenToken(page);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const mismatch = await post('/activate/password', { token, password: 'a-b-c-d-e-f-g', confirm: 'x' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toContain('The two passwords differ.');
    const weak = await post('/activate/password', {
      token,
      password: 'Sunshine2026',
      confirm: 'Sunshine2026',
    });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('<li>The password is too common');
    const done = await post('/activate/password', {
      token,
      password: 'orchid-bicycle-granite-7',
      confirm: 'orchid-bicycle-granite-7',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your account is activated');
    expect(unwrap(await t.app.activation.status(user.id)).activated).toBe(true);
  });

  it('refuses form posts from another site', async () => {
    const { user, code } = await starter();
    const fields = { userName: user.userName, code, fact: user.personalEmail ?? '' };
    const foreign = await post('/activate', fields, { Origin: 'https://evil.example', Host: 'localhost' });
    expect(foreign.status).toBe(403);
    const fetchSite = await post('/activate/password', { token: 'x' }, { 'Sec-Fetch-Site': 'cross-site' });
    expect(fetchSite.status).toBe(403);
    const same = await post('/activate', fields, { Origin: 'http://localhost', Host: 'localhost' });
    expect(same.status).toBe(200);
  });

  it('sends back to step 1 when the step-2 token is no good', async () => {
    const res = await post('/activate/password', { token: 'stale', password: 'p', confirm: 'p' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Please start again.');
  });
});

describe('client addresses for the lockout', () => {
  it('counts IPv4 as it is, mapped IPv4 as IPv4, and IPv6 by its /64', () => {
    expect(normalizeAddress('192.0.2.7')).toBe('192.0.2.7');
    expect(normalizeAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(normalizeAddress('2001:db8:0:12:aaaa::1')).toBe('2001:db8:0:12::/64');
    expect(normalizeAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
  });
});

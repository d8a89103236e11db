import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';

let t: TestApp;
let admin: string;
let seq = 0;

beforeAll(async () => {
  t = await createTestApp({
    env: {
      JOINERY_ACTIVATION_MAX_FAILURES: '2',
      JOINERY_ACTIVATION_CLIENT_MAX_FAILURES: '1000',
      JOINERY_PUBLIC_URL: 'https://id.example.com',
    },
  });
  admin = await t.token(['admin']);
  // The confirmation e-mail is a delivery job, sent in the activation's transaction.
  await t.app.jobs.start({ work: false });
});
afterAll(async () => {
  await t?.close();
});

interface Issued {
  code: string;
  codeId: string;
  validFrom: string;
  expiresAt: string;
  url: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

async function person(extra: Record<string, unknown> = {}) {
  const n = ++seq;
  const res = await t.call('POST', '/api/v1/users', {
    token: admin,
    body: {
      userName: `api.starter${n}@example.com`,
      employeeId: `A${n}`,
      displayName: `Starter ${n}`,
      ...extra,
    },
  });
  expect(res.status).toBe(201);
  const user = (await res.json()) as { id: string; userName: string; employeeId: string };
  const issued = await t.call('POST', `/api/v1/users/${user.id}/activation/code`, { token: admin });
  expect(issued.status).toBe(201);
  expect(issued.headers.get('cache-control')).toBe('no-store');
  return { user, code: ((await issued.json()) as Issued).code, issued: issued };
}

const verify = (body: unknown) => t.call('POST', '/api/v1/activation/verify', { body });
const complete = (body: unknown) => t.call('POST', '/api/v1/activation/complete', { body });

describe('activation admin API', () => {
  it('reissues a code shown once, reports status, and revokes', async () => {
    const { user } = await person();
    const again = await t.call('POST', `/api/v1/users/${user.id}/activation/code`, { token: admin });
    const issued = (await again.json()) as Issued;
    expect(issued.url).toBe(`https://id.example.com/activate?user=${encodeURIComponent(user.userName)}`);
    const status = await t.call('GET', `/api/v1/users/${user.id}/activation`, { token: admin });
    expect(await status.json()).toEqual({
      activated: false,
      activatedAt: null,
      code: {
        codeId: issued.codeId,
        validFrom: issued.validFrom,
        expiresAt: issued.expiresAt,
        state: 'live',
      },
      lockedUntil: null,
    });
    const revoked = await t.call('DELETE', `/api/v1/users/${user.id}/activation/code`, { token: admin });
    expect(await revoked.json()).toEqual({ revoked: true });
    const after = await t.call('GET', `/api/v1/users/${user.id}/activation`, { token: admin });
    expect(((await after.json()) as { code: { state: string } }).code.state).toBe('revoked');
  });

  it('needs the admin scope', async () => {
    const { user } = await person();
    const reader = await t.token(['directory.read']);
    expect((await t.call('GET', `/api/v1/users/${user.id}/activation`)).status).toBe(401);
    expect((await t.call('POST', `/api/v1/users/${user.id}/activation/code`, { token: reader })).status).toBe(
      403,
    );
  });

  it('answers 404 for an unknown person and 400 for an id that is not one', async () => {
    const missing = await t.call('GET', '/api/v1/users/0190a7e4-0000-7000-8000-000000000000/activation', {
      token: admin,
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).error.code).toBe('activation.user_not_found');
    expect((await t.call('DELETE', '/api/v1/users/nope/activation/code', { token: admin })).status).toBe(400);
  });
});

describe('activation public API', () => {
  it('activates in two steps without a token, refusing a weak password first', async () => {
    const { user, code } = await person({ personalEmail: 'starter.home@example.org' });
    const step1 = await verify({ userName: user.userName, code, fact: user.employeeId });
    expect(step1.status).toBe(200);
    expect(step1.headers.get('cache-control')).toBe('no-store');
    const { token, passwordRules } = (await step1.json()) as {
      token: string;
      passwordRules: { minLength: number };
    };
    expect(passwordRules).toEqual({ minLength: 12 });
    const weak = await complete({ token, password: 'Password2024!' });
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as ErrorBody).error).toMatchObject({
      code: 'activation.weak_password',
      details: { reasons: ['common'] },
    });
    const done = await complete({ token, password: 'copper-lantern-meadow-42' });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ userId: user.id });
    const status = await t.call('GET', `/api/v1/users/${user.id}/activation`, { token: admin });
    expect(await status.json()).toMatchObject({ activated: true, code: { state: 'used' } });
    const mail = await t.app.database.db
      .selectFrom('email_deliveries')
      .select(['to_address', 'template'])
      .where('user_id', '=', user.id)
      .execute();
    expect(mail).toEqual([{ to_address: 'starter.home@example.org', template: 'activationConfirmed' }]);
  });

  it('answers 401 with one body for a wrong code and for a user name nobody has', async () => {
    const { user } = await person();
    const wrong = await verify({ userName: user.userName, code: 'WRONGCODE2', fact: user.employeeId });
    const nobody = await verify({ userName: 'nobody@example.com', code: 'WRONGCODE2', fact: 'A1' });
    expect([wrong.status, nobody.status]).toEqual([401, 401]);
    expect(await wrong.text()).toBe(await nobody.text());
  });

  it('answers 429 with Retry-After once the person is locked out', async () => {
    const { user, code } = await person();
    expect((await verify({ userName: user.userName, code, fact: 'wrong' })).status).toBe(401);
    const locked = await verify({ userName: user.userName, code, fact: 'wrong' });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('900');
    expect(((await locked.json()) as ErrorBody).error.code).toBe('activation.locked');
    const status = await t.call('GET', `/api/v1/users/${user.id}/activation`, { token: admin });
    expect(((await status.json()) as { lockedUntil: string | null }).lockedUntil).not.toBeNull();
  });

  it('validates bodies strictly and answers 401 for an unknown step-2 token', async () => {
    const extra = await verify({ userName: 'a', code: 'b', fact: 'c', admin: true });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as ErrorBody).error.details.issues).toEqual([
      { field: 'admin', message: 'unknown field' },
    ]);
    const form = await t.call('POST', '/api/v1/activation/verify', {
      body: 'userName=a',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const unknown = await complete({ token: 'not-a-token', password: 'copper-lantern-meadow-42' });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('activation.session_invalid');
  });

  it('refuses bodies over 16 KiB', async () => {
    const big = await verify({ userName: 'x'.repeat(20_000), code: 'c', fact: 'f' });
    expect(big.status).toBe(400);
  });
});

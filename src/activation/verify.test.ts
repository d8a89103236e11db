import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { unwrap } from '../core/index.ts';
import type { User } from '../directory/index.ts';
import type { IssuedCode, VerifyInput } from './index.ts';
import { type ActivationTest, adminCtx, auditActions, createActivationTest } from './test-support.ts';

const START = '2026-03-02T09:00:00Z';
let t: ActivationTest;
let clientSeq = 0;
beforeAll(async () => {
  t = await createActivationTest({ maxFailures: 3, clientMaxFailures: 5, lockoutMinutes: 15 }, START);
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  t.clock.set(START);
  vi.restoreAllMocks();
});

/** Each test acts from its own address, so one test's failures never lock another out. */
const newClient = () => `198.51.100.${++clientSeq}`;

async function starter(input: Record<string, unknown> = {}): Promise<{ user: User; issued: IssuedCode }> {
  const user = await t.user(input);
  return { user, issued: unwrap(await t.activation.reissue(adminCtx, user.id)) };
}

const attempt = (user: User, issued: IssuedCode, client: string, over: Partial<VerifyInput> = {}) =>
  t.activation.verify({
    userName: user.userName,
    code: issued.code,
    fact: user.employeeId ?? '',
    client,
    ...over,
  });

const codeOf = async (p: ReturnType<typeof attempt>) => {
  const r = await p;
  return r.ok ? 'ok' : r.error.code;
};

describe('step 1: proving who you are', () => {
  it('gives a step-2 token for the right user name, code and fact, and audits it', async () => {
    const { user, issued } = await starter();
    const result = unwrap(await attempt(user, issued, newClient()));
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.displayName).toBe('Nina Newstart');
    expect(result.passwordRules).toEqual({ minLength: 12 });
    expect(new Date(result.expiresAt).getTime() - new Date(START).getTime()).toBe(15 * 60_000);
    const stored = await t.database.db.selectFrom('activation_sessions').selectAll().execute();
    expect(stored.some((s) => s.token_hash.includes(result.token))).toBe(false);
    expect(await auditActions(t.database, user.id)).toEqual([
      'activation.code_issued',
      'activation.verified',
    ]);
  });

  it('takes the code in any case, with the spaces and dashes people type', async () => {
    const { user, issued } = await starter();
    const typed = ` ${issued.code.slice(0, 5).toLowerCase()} - ${issued.code.slice(5)} `;
    expect(
      await codeOf(
        attempt(user, issued, newClient(), { code: typed, userName: user.userName.toUpperCase() }),
      ),
    ).toBe('ok');
  });

  it('answers the same for an unknown user name, a wrong code, a wrong fact, and no usable code', async () => {
    const { user, issued } = await starter();
    const revoked = await starter();
    unwrap(await t.activation.revoke(adminCtx, revoked.user.id));
    const noCode = await t.user();
    const answers = await Promise.all([
      attempt(user, issued, newClient(), { userName: 'nobody@example.com' }),
      attempt(user, issued, newClient(), { code: 'ABCDEFGHJK' }),
      attempt(user, issued, newClient(), { fact: 'E-wrong' }),
      attempt(revoked.user, revoked.issued, newClient()),
      t.activation.verify({
        userName: noCode.userName,
        code: issued.code,
        fact: noCode.employeeId ?? '',
        client: newClient(),
      }),
    ]);
    const errors = answers.map((a) => (a.ok ? null : a.error));
    expect(new Set(errors.map((e) => JSON.stringify(e))).size).toBe(1);
    expect(errors[0]?.code).toBe('activation.invalid_credentials');
  });

  it('compares the code and the fact in constant time, even for a user name nobody has', async () => {
    const { user, issued } = await starter();
    const spy = vi.spyOn(crypto, 'timingSafeEqual');
    await attempt(user, issued, newClient());
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockClear();
    await attempt(user, issued, newClient(), { userName: 'nobody@example.com' });
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('asks for the fact the settings name: hire date, personal e-mail (any case) or external id', async () => {
    const { user, issued } = await starter({
      employeeHireDate: '2026-03-02',
      personalEmail: 'Nina.Home@Example.org',
      externalId: 'WD-77',
      timezone: 'Pacific/Auckland',
    });
    const byFact = async (
      verification: 'employeeHireDate' | 'personalEmail' | 'externalId',
      fact: string,
    ) => {
      const r = await t
        .withSettings({ verification })
        .verify({ userName: user.userName, code: issued.code, fact, client: newClient() });
      return r.ok ? 'ok' : r.error.code;
    };
    expect(await byFact('employeeHireDate', '2026-03-02')).toBe('ok');
    expect(await byFact('employeeHireDate', '2026-03-01')).toBe('activation.invalid_credentials');
    expect(await byFact('personalEmail', ' nina.home@example.ORG ')).toBe('ok');
    expect(await byFact('externalId', 'wd-77')).toBe('activation.invalid_credentials');
    expect(await byFact('externalId', 'WD-77')).toBe('ok');
  });

  it('never matches a fact the person has no value for', async () => {
    const { user, issued } = await starter();
    const r = await t
      .withSettings({ verification: 'personalEmail' })
      .verify({ userName: user.userName, code: issued.code, fact: '', client: newClient() });
    expect(!r.ok && r.error.code).toBe('activation.invalid_credentials');
  });
});

describe('what may be told once code and fact are right', () => {
  it('tells a starter in Auckland their code works a day before one in Los Angeles', async () => {
    const hire = { employeeHireDate: '2026-03-10' };
    const nz = await starter({ ...hire, timezone: 'Pacific/Auckland' });
    const la = await starter({ ...hire, timezone: 'America/Los_Angeles' });
    t.clock.set('2026-03-09T10:59:59Z');
    const early = await attempt(nz.user, nz.issued, newClient());
    expect(!early.ok && early.error).toMatchObject({
      code: 'activation.not_yet_valid',
      details: { validFrom: '2026-03-09T11:00:00.000Z' },
    });
    t.clock.set('2026-03-09T11:00:00Z');
    expect(await codeOf(attempt(nz.user, nz.issued, newClient()))).toBe('ok');
    expect(await codeOf(attempt(la.user, la.issued, newClient()))).toBe('activation.not_yet_valid');
    t.clock.set('2026-03-10T07:00:00Z');
    expect(await codeOf(attempt(la.user, la.issued, newClient()))).toBe('ok');
  });

  it('tells that the code has expired', async () => {
    const { user, issued } = await starter();
    t.clock.set(issued.expiresAt);
    expect(await codeOf(attempt(user, issued, newClient()))).toBe('activation.expired');
  });

  it('tells a disabled account so', async () => {
    const { user, issued } = await starter({ accountEnabled: false });
    expect(await codeOf(attempt(user, issued, newClient()))).toBe('activation.account_disabled');
  });
});

describe('lockout', () => {
  it('locks the person after the allowed failures, with the time left, and audits it', async () => {
    const { user, issued } = await starter();
    const wrong = { code: 'ZZZZZZZZZZ' };
    expect(await codeOf(attempt(user, issued, newClient(), wrong))).toBe('activation.invalid_credentials');
    expect(await codeOf(attempt(user, issued, newClient(), wrong))).toBe('activation.invalid_credentials');
    const third = await attempt(user, issued, newClient(), wrong);
    expect(!third.ok && third.error).toMatchObject({
      code: 'activation.locked',
      details: { retryAfterSeconds: 900 },
    });
    // Locked even with everything right, and from any address.
    t.clock.advance(5 * 60_000);
    const locked = await attempt(user, issued, newClient());
    expect(!locked.ok && locked.error.details).toMatchObject({ retryAfterSeconds: 600 });
    expect(unwrap(await t.activation.status(user.id)).lockedUntil).toBe('2026-03-02T09:15:00.000Z');
    expect(await auditActions(t.database, user.id)).toEqual(['activation.code_issued', 'activation.locked']);
    t.clock.advance(10 * 60_000);
    expect(await codeOf(attempt(user, issued, newClient()))).toBe('ok');
  });

  it('forgets failures older than the lockout window', async () => {
    const { user, issued } = await starter();
    const wrong = { fact: 'nope' };
    await attempt(user, issued, newClient(), wrong);
    await attempt(user, issued, newClient(), wrong);
    t.clock.advance(15 * 60_000);
    expect(await codeOf(attempt(user, issued, newClient(), wrong))).toBe('activation.invalid_credentials');
    expect(await codeOf(attempt(user, issued, newClient(), wrong))).toBe('activation.invalid_credentials');
  });

  it('resets the person’s count on success', async () => {
    const { user, issued } = await starter();
    const wrong = { code: 'ZZZZZZZZZZ' };
    await attempt(user, issued, newClient(), wrong);
    await attempt(user, issued, newClient(), wrong);
    expect(await codeOf(attempt(user, issued, newClient()))).toBe('ok');
    expect(await codeOf(attempt(user, issued, newClient(), wrong))).toBe('activation.invalid_credentials');
    expect(await codeOf(attempt(user, issued, newClient(), wrong))).toBe('activation.invalid_credentials');
  });

  it('locks an unknown user name the same way, so a lockout does not reveal who exists', async () => {
    const client = newClient();
    const { user, issued } = await starter();
    const ghost = { userName: 'ghost@example.com', code: 'ZZZZZZZZZZ' };
    const known = { code: 'ZZZZZZZZZZ' };
    const ghostAnswers = [];
    const knownAnswers = [];
    for (let i = 0; i < 3; i++) {
      ghostAnswers.push(await codeOf(attempt(user, issued, `${client}-a`, ghost)));
      knownAnswers.push(await codeOf(attempt(user, issued, `${client}-b`, known)));
    }
    expect(ghostAnswers).toEqual(knownAnswers);
    expect(ghostAnswers[2]).toBe('activation.locked');
  });

  it('locks a client address that fails across many people', async () => {
    const client = newClient();
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const { user, issued } = await starter();
      answers.push(await codeOf(attempt(user, issued, client, { fact: 'wrong' })));
    }
    expect(answers).toEqual([...Array(4).fill('activation.invalid_credentials'), 'activation.locked']);
    const fresh = await starter();
    expect(await codeOf(attempt(fresh.user, fresh.issued, client))).toBe('activation.locked');
    expect(await codeOf(attempt(fresh.user, fresh.issued, newClient()))).toBe('ok');
    t.clock.advance(15 * 60_000);
    expect(await codeOf(attempt(fresh.user, fresh.issued, client))).toBe('ok');
  });

  it('gives a person a fresh count with a new code', async () => {
    const { user, issued } = await starter();
    for (let i = 0; i < 3; i++) await attempt(user, issued, newClient(), { code: 'ZZZZZZZZZZ' });
    const again = unwrap(await t.activation.reissue(adminCtx, user.id));
    expect(await codeOf(attempt(user, again, newClient()))).toBe('ok');
  });
});

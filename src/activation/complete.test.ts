import { verify as verifyPassword } from '@node-rs/argon2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unwrap } from '../core/index.ts';
import type { User } from '../directory/index.ts';
import type { Activation } from './index.ts';
import { type ActivationTest, adminCtx, auditActions, createActivationTest } from './test-support.ts';

const START = '2026-03-02T09:00:00Z';
const GOOD = 'violet-harbour-tractor-91';
let t: ActivationTest;
let clientSeq = 0;
beforeAll(async () => {
  t = await createActivationTest({}, START);
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => t.clock.set(START));

const client = () => `203.0.113.${++clientSeq}`;

/** A person with a code, through step 1: the step-2 token and what they typed. */
async function verified(input: Record<string, unknown> = {}, activation: Activation = t.activation) {
  const user = await t.user(input);
  const issued = unwrap(await activation.reissue(adminCtx, user.id));
  const step1 = { userName: user.userName, code: issued.code, fact: user.employeeId ?? '', client: client() };
  const { token } = unwrap(await activation.verify(step1));
  return { user, issued, token, step1 };
}

const credentials = (user: User) =>
  t.database.db.selectFrom('user_credentials').selectAll().where('user_id', '=', user.id).executeTakeFirst();
const deliveries = (user: User) =>
  t.database.db.selectFrom('email_deliveries').selectAll().where('user_id', '=', user.id).execute();

describe('step 2: setting the password', () => {
  it('activates: argon2id password, code used, activation and sign-in recorded, audited, e-mail queued', async () => {
    const { user, token } = await verified({ personalEmail: 'nina@home.example' });
    const done = unwrap(await t.activation.complete({ token, password: GOOD, client: client() }));
    expect(done).toEqual({ userId: user.id, activatedAt: '2026-03-02T09:00:00.000Z' });
    const stored = await credentials(user);
    expect(stored?.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(stored?.password_hash ?? '', GOOD)).toBe(true);
    const signIn = await t.database.db
      .selectFrom('user_sign_ins')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    expect(signIn?.last_sign_in_at.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    const status = unwrap(await t.activation.status(user.id));
    expect(status).toMatchObject({
      activated: true,
      activatedAt: '2026-03-02T09:00:00.000Z',
      code: { state: 'used' },
    });
    expect(await auditActions(t.database, user.id)).toEqual([
      'activation.code_issued',
      'activation.verified',
      'activation.completed',
    ]);
    expect((await deliveries(user)).map((d) => d.to_address)).toEqual(['nina@home.example']);
  });

  it('uses a token and a code once: a second completion fails, step 1 then says already activated', async () => {
    const { token, step1 } = await verified();
    unwrap(await t.activation.complete({ token, password: GOOD, client: client() }));
    const again = await t.activation.complete({ token, password: `${GOOD}x`, client: client() });
    expect(!again.ok && again.error.code).toBe('activation.session_invalid');
    const reverify = await t.activation.verify(step1);
    expect(!reverify.ok && reverify.error.code).toBe('activation.already_activated');
  });

  it('activates once when one token is submitted twice at the same time', async () => {
    const { token } = await verified();
    const results = await Promise.all([
      t.activation.complete({ token, password: GOOD, client: client() }),
      t.activation.complete({ token, password: GOOD, client: client() }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('refuses a weak password with its reasons and keeps the step open for a better one', async () => {
    const { user, token } = await verified();
    const weak = await t.activation.complete({ token, password: 'Newstart2024', client: client() });
    expect(!weak.ok && weak.error).toMatchObject({
      code: 'activation.weak_password',
      details: { reasons: ['contains_name'], minLength: 12 },
    });
    const short = await t.activation.complete({ token, password: 'password1', client: client() });
    expect(!short.ok && short.error.details).toMatchObject({ reasons: ['too_short', 'common'] });
    expect(await credentials(user)).toBeUndefined();
    expect((await t.activation.complete({ token, password: GOOD, client: client() })).ok).toBe(true);
  });

  it('refuses an unknown or expired token', async () => {
    const unknown = await t.activation.complete({ token: 'x'.repeat(43), password: GOOD, client: client() });
    expect(!unknown.ok && unknown.error.code).toBe('activation.session_invalid');
    const { token } = await verified();
    t.clock.advance(15 * 60_000);
    const late = await t.activation.complete({ token, password: GOOD, client: client() });
    expect(!late.ok && late.error.code).toBe('activation.session_invalid');
  });

  it('ends the step when an admin revokes or reissues the code meanwhile', async () => {
    const revoked = await verified();
    unwrap(await t.activation.revoke(adminCtx, revoked.user.id));
    const r1 = await t.activation.complete({ token: revoked.token, password: GOOD, client: client() });
    expect(!r1.ok && r1.error.code).toBe('activation.session_invalid');
    const reissued = await verified();
    unwrap(await t.activation.reissue(adminCtx, reissued.user.id));
    const r2 = await t.activation.complete({ token: reissued.token, password: GOOD, client: client() });
    expect(!r2.ok && r2.error.code).toBe('activation.session_invalid');
  });

  it('refuses an account disabled between the two steps', async () => {
    const { user, token } = await verified();
    unwrap(await t.directory.updateUser(adminCtx, user.id, { accountEnabled: false }));
    const result = await t.activation.complete({ token, password: GOOD, client: client() });
    expect(!result.ok && result.error.code).toBe('activation.account_disabled');
    expect(await credentials(user)).toBeUndefined();
  });

  it('writes nothing when the confirmation e-mail cannot be queued (one transaction)', async () => {
    const failing = t.withSettings(
      {},
      {
        confirmation: async () => {
          throw new Error('the mail queue is down');
        },
      },
    );
    const { user, token } = await verified({}, failing);
    await expect(failing.complete({ token, password: GOOD, client: client() })).rejects.toThrow('mail queue');
    expect(await credentials(user)).toBeUndefined();
    expect(unwrap(await t.activation.status(user.id)).code?.state).toBe('live');
    expect((await t.activation.complete({ token, password: GOOD, client: client() })).ok).toBe(true);
  });

  it('lets a person activated before (a rehire) activate again with a newer code', async () => {
    const first = await verified();
    unwrap(await t.activation.complete({ token: first.token, password: GOOD, client: client() }));
    t.clock.advance(60_000);
    const issued = unwrap(await t.activation.reissue(adminCtx, first.user.id));
    const { token } = unwrap(await t.activation.verify({ ...first.step1, code: issued.code }));
    const again = unwrap(await t.activation.complete({ token, password: `${GOOD}-again`, client: client() }));
    expect(again.activatedAt).toBe('2026-03-02T09:01:00.000Z');
  });
});

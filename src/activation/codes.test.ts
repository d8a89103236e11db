import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, unwrap } from '../core/index.ts';
import { inTransaction } from '../db/index.ts';
import { CODE_ALPHABET } from './index.ts';
import { type ActivationTest, adminCtx, auditActions, createActivationTest } from './test-support.ts';

let t: ActivationTest;
beforeAll(async () => {
  t = await createActivationTest();
});
afterAll(async () => {
  await t?.close();
});

const codeRows = (userId: string) =>
  t.database.db
    .selectFrom('activation_codes')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();

describe('issuing codes', () => {
  it('issues a code of the configured length from an alphabet without look-alikes', async () => {
    const user = await t.user();
    const issued = unwrap(await t.activation.reissue(adminCtx, user.id));
    expect(issued.code).toHaveLength(10);
    for (const ch of issued.code) expect(CODE_ALPHABET).toContain(ch);
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(issued.url).toBe(`https://joinery.example.com/activate?user=${encodeURIComponent(user.userName)}`);
  });

  it('stores only a keyed hash of the code, and audits the issue without the code', async () => {
    const user = await t.user();
    const issued = unwrap(await t.activation.reissue(adminCtx, user.id));
    const [row] = await codeRows(user.id);
    expect(row?.code_hash).not.toContain(issued.code);
    expect(row?.code_hash.startsWith('hmac1$jny-enc:v1:')).toBe(true);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', user.id)
      .where('action', '=', 'activation.code_issued')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit)).not.toContain(issued.code);
    expect(audit.actor_name).toBe('hr-admin');
    expect(audit.details).toMatchObject({ codeId: issued.codeId, revokedCodeId: null });
  });

  it('gives two identical codes different stored hashes (each has its own key)', async () => {
    const a = await t.user();
    const b = await t.user();
    unwrap(await t.activation.reissue(adminCtx, a.id));
    unwrap(await t.activation.reissue(adminCtx, b.id));
    const [ra] = await codeRows(a.id);
    const [rb] = await codeRows(b.id);
    expect(ra?.code_hash).not.toBe(rb?.code_hash);
  });

  it('keeps one live code per person: a reissue revokes the old one', async () => {
    const user = await t.user();
    const first = unwrap(await t.activation.reissue(adminCtx, user.id));
    const second = unwrap(await t.activation.reissue(adminCtx, user.id));
    const rows = await codeRows(user.id);
    expect(rows.map((r) => [r.id, r.revoked_at !== null])).toEqual([
      [first.codeId, true],
      [second.codeId, false],
    ]);
    const status = unwrap(await t.activation.status(user.id));
    expect(status.code).toMatchObject({ codeId: second.codeId, state: 'live' });
    expect(await auditActions(t.database, user.id)).toEqual([
      'activation.code_issued',
      'activation.code_issued',
    ]);
  });

  it('issues inside the caller’s transaction: a rollback leaves no code and no audit row', async () => {
    const user = await t.user();
    await expect(
      inTransaction(t.database.db, async (tx) => {
        unwrap(await t.activation.issueCode(tx, adminCtx, user.id));
        throw new Error('the workflow task failed after issuing');
      }),
    ).rejects.toThrow('the workflow task failed');
    expect(await codeRows(user.id)).toEqual([]);
    expect(await auditActions(t.database, user.id)).toEqual([]);
  });

  it('refuses unknown and deleted people', async () => {
    const missing = await t.activation.reissue(adminCtx, newId());
    expect(!missing.ok && missing.error.code).toBe('activation.user_not_found');
    const user = await t.user();
    unwrap(await t.directory.deleteUser(adminCtx, user.id));
    const deleted = await t.activation.reissue(adminCtx, user.id);
    expect(!deleted.ok && deleted.error.code).toBe('activation.user_not_found');
  });
});

describe('revoking codes', () => {
  it('revokes the live code, audited, and says when there was none', async () => {
    const user = await t.user();
    const issued = unwrap(await t.activation.reissue(adminCtx, user.id));
    expect(unwrap(await t.activation.revoke(adminCtx, user.id))).toEqual({ revoked: true });
    expect(unwrap(await t.activation.revoke(adminCtx, user.id))).toEqual({ revoked: false });
    const status = unwrap(await t.activation.status(user.id));
    expect(status.code).toMatchObject({ codeId: issued.codeId, state: 'revoked' });
    expect(await auditActions(t.database, user.id)).toEqual([
      'activation.code_issued',
      'activation.code_revoked',
    ]);
  });
});

describe('activation status', () => {
  it('shows a person without a code as not activated', async () => {
    const user = await t.user();
    expect(unwrap(await t.activation.status(user.id))).toEqual({
      activated: false,
      activatedAt: null,
      code: null,
      lockedUntil: null,
    });
  });

  it('shows a code past its expiry as expired', async () => {
    const user = await t.user();
    const issued = unwrap(await t.activation.reissue(adminCtx, user.id));
    t.clock.set(issued.expiresAt);
    try {
      expect(unwrap(await t.activation.status(user.id)).code?.state).toBe('expired');
    } finally {
      t.clock.set('2026-03-02T09:00:00Z');
    }
  });

  it('answers user_not_found for an unknown id', async () => {
    const result = await t.activation.status(newId());
    expect(!result.ok && result.error.code).toBe('activation.user_not_found');
  });
});

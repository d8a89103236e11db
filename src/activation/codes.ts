import { recordAudit } from '../audit/index.ts';
import { correlationFor, err, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import { inTransaction, type Tx } from '../db/index.ts';
import type { User } from '../directory/index.ts';
import { generateCode, hashCode } from './code-hash.ts';
import { personKey } from './throttle.ts';
import type { ActivationDeps, ActivationStatus, CodeState, IssuedCode } from './types.ts';
import { validityWindow } from './validity.ts';

const userNotFound = (userId: string) =>
  failure('activation.user_not_found', `no user with id ${userId}`, { userId });

const iso = (d: Date | string) => new Date(d).toISOString();

/** The page a person activates on, with their user name filled in. */
export function activationUrl(deps: ActivationDeps, userName: string): string {
  return `${deps.publicUrl().replace(/\/+$/, '')}/activate?user=${encodeURIComponent(userName)}`;
}

/** The live (not deleted) person behind an id, locked for the rest of the transaction. */
async function lockLiveUser(deps: ActivationDeps, tx: Tx, userId: string): Promise<User | null> {
  const user = (await deps.directory.sync.lockUsersById(tx, [userId])).get(userId);
  return user && !user.deletedAt ? user : null;
}

/** Revokes the person's live code, if any; returns its id. */
async function revokeLive(tx: Tx, userId: string, now: Date): Promise<string | null> {
  const row = await tx
    .updateTable('activation_codes')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function issueCode(
  deps: ActivationDeps,
  tx: Tx,
  ctx: RequestContext,
  userId: string,
): Promise<Result<IssuedCode>> {
  return (await issueCodes(deps, tx, ctx, [userId])).get(userId) ?? err(userNotFound(userId));
}

/**
 * A new code for each person (revoking their live one), with a statement per step whatever the count:
 * a workflow issues the codes of a whole batch of new starters in one transaction. People are locked
 * in id order; the lock serialises two issues for one person and the unique live-code index backs it up.
 */
export async function issueCodes(
  deps: ActivationDeps,
  tx: Tx,
  ctx: RequestContext,
  userIds: readonly string[],
): Promise<Map<string, Result<IssuedCode>>> {
  const out = new Map<string, Result<IssuedCode>>();
  const locked = await deps.directory.sync.lockUsersById(tx, userIds);
  const live: User[] = [];
  for (const id of new Set(userIds)) {
    const user = locked.get(id);
    if (user && !user.deletedAt) live.push(user);
    else out.set(id, err(userNotFound(id)));
  }
  if (live.length === 0) return out;
  const ids = live.map((u) => u.id);
  const now = deps.clock.now();
  const revoked = await tx
    .updateTable('activation_codes')
    .set({ revoked_at: now })
    .where('user_id', '=', (eb) => eb.fn.any(eb.val(ids)))
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning(['id', 'user_id'])
    .execute();
  const revokedOf = new Map(revoked.map((r) => [r.user_id, r.id]));
  const issued = live.map((user) => {
    const code = generateCode(deps.settings.codeLength);
    return { user, code, codeId: newId(), ...validityWindow(user, now, deps.settings) };
  });
  for (let i = 0; i < issued.length; i += 500)
    await tx
      .insertInto('activation_codes')
      .values(
        issued.slice(i, i + 500).map((c) => ({
          id: c.codeId,
          user_id: c.user.id,
          code_hash: hashCode(deps.secrets, c.code),
          valid_from: c.validFrom,
          expires_at: c.expiresAt,
          created_at: now,
          actor: JSON.stringify(ctx.actor),
        })),
      )
      .execute();
  // A new code is a fresh start: old failures must not lock the person out of it.
  await tx
    .deleteFrom('activation_throttle')
    .where('key', '=', (eb) => eb.fn.any(eb.val(ids.map(personKey))))
    .execute();
  await recordAudit(
    tx,
    deps.clock,
    ctx,
    issued.map((c) => ({
      action: 'activation.code_issued',
      targetType: 'user',
      targetId: c.user.id,
      details: {
        codeId: c.codeId,
        validFrom: iso(c.validFrom),
        expiresAt: iso(c.expiresAt),
        revokedCodeId: revokedOf.get(c.user.id) ?? null,
      },
      correlationId: correlationFor(ctx, c.user.id),
    })),
  );
  for (const c of issued)
    out.set(
      c.user.id,
      ok({
        code: c.code,
        codeId: c.codeId,
        validFrom: iso(c.validFrom),
        expiresAt: iso(c.expiresAt),
        url: activationUrl(deps, c.user.userName),
      }),
    );
  return out;
}

export const reissue = (deps: ActivationDeps, ctx: RequestContext, userId: string) =>
  inTransaction(deps.db, (tx) => issueCode(deps, tx, ctx, userId));

export function revoke(
  deps: ActivationDeps,
  ctx: RequestContext,
  userId: string,
): Promise<Result<{ revoked: boolean }>> {
  return inTransaction(deps.db, async (tx) => {
    const user = await lockLiveUser(deps, tx, userId);
    if (!user) return err(userNotFound(userId));
    const codeId = await revokeLive(tx, userId, deps.clock.now());
    if (codeId) {
      await recordAudit(tx, deps.clock, ctx, [
        { action: 'activation.code_revoked', targetType: 'user', targetId: userId, details: { codeId } },
      ]);
    }
    return ok({ revoked: codeId !== null });
  });
}

export function codeState(
  row: { used_at: Date | string | null; revoked_at: Date | string | null; expires_at: Date | string },
  now: Date,
): CodeState {
  if (row.used_at) return 'used';
  if (row.revoked_at) return 'revoked';
  return new Date(row.expires_at).getTime() <= now.getTime() ? 'expired' : 'live';
}

export async function status(deps: ActivationDeps, userId: string): Promise<Result<ActivationStatus>> {
  const user = await deps.directory.getUser(userId);
  if (!user.ok) return err(userNotFound(userId));
  const now = deps.clock.now();
  const [credentials, code, throttle] = await Promise.all([
    deps.db
      .selectFrom('user_credentials')
      .select('activated_at')
      .where('user_id', '=', userId)
      .executeTakeFirst(),
    deps.db
      .selectFrom('activation_codes')
      .select(['id', 'valid_from', 'expires_at', 'used_at', 'revoked_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
    deps.db
      .selectFrom('activation_throttle')
      .select('locked_until')
      .where('key', '=', personKey(userId))
      .where('locked_until', '>', now)
      .executeTakeFirst(),
  ]);
  return ok({
    activated: credentials !== undefined,
    activatedAt: credentials ? iso(credentials.activated_at) : null,
    code: code
      ? {
          codeId: code.id,
          validFrom: iso(code.valid_from),
          expiresAt: iso(code.expires_at),
          state: codeState(code, now),
        }
      : null,
    lockedUntil: throttle?.locked_until ? iso(throttle.locked_until) : null,
  });
}

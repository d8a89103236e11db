import { hash } from '@node-rs/argon2';
import { recordAudit } from '../audit/index.ts';
import { err, failure, ok, type Result } from '../core/index.ts';
import { inTransaction } from '../db/index.ts';
import { hashSessionToken } from './code-hash.ts';
import { weakReasons, weakReasonText } from './password-policy.ts';
import { personContext } from './person.ts';
import type { ActivationDeps, CompleteInput } from './types.ts';

const sessionInvalid = () =>
  failure('activation.session_invalid', 'this activation step is unknown, used or expired: start again');
const accountDisabled = () =>
  failure(
    'activation.account_disabled',
    'this account is disabled: contact your manager or the service desk',
  );

/**
 * Step 2. The password is checked and hashed before the transaction opens: argon2id takes tens of
 * milliseconds, and on PGlite an open transaction holds the only connection. Inside, the session is
 * claimed first (`used_at is null` in the update), so two submissions of one token activate once.
 */
export async function complete(
  deps: ActivationDeps,
  input: CompleteInput,
): Promise<Result<{ userId: string; activatedAt: string }>> {
  const tokenHash = hashSessionToken(input.token);
  const session = await deps.db
    .selectFrom('activation_sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!session || session.used_at || new Date(session.expires_at) <= deps.clock.now())
    return err(sessionInvalid());
  const found = await deps.directory.getUser(session.user_id);
  if (!found.ok) return err(sessionInvalid());
  if (!found.value.accountEnabled) return err(accountDisabled());
  const minLength = deps.settings.passwordMinLength;
  const reasons = weakReasons(input.password, found.value, minLength);
  if (reasons.length > 0) {
    const why = reasons.map((r) => weakReasonText[r](minLength)).join('; ');
    return err(failure('activation.weak_password', `the password ${why}`, { reasons, minLength }));
  }
  // @node-rs/argon2 defaults to argon2id with OWASP's minimum cost (19 MiB, 2 passes, 1 lane).
  const passwordHash = await hash(input.password);

  return inTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const claimed = await tx
      .updateTable('activation_sessions')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'code_id'])
      .executeTakeFirst();
    if (!claimed) return err(sessionInvalid());
    const user = (await deps.directory.sync.lockUsersById(tx, [claimed.user_id])).get(claimed.user_id);
    if (!user || user.deletedAt) return err(sessionInvalid());
    if (!user.accountEnabled) return err(accountDisabled());
    // The code must still be live: revoked by an admin, or used through another session, ends this one.
    const code = await tx
      .updateTable('activation_codes')
      .set({ used_at: now })
      .where('id', '=', claimed.code_id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!code) return err(sessionInvalid());

    await tx
      .insertInto('user_credentials')
      .values({ user_id: user.id, password_hash: passwordHash, activated_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ password_hash: passwordHash, activated_at: now, updated_at: now }),
      )
      .execute();
    // Activating is the person's first sign-in: inactivity rules count from here.
    await tx
      .insertInto('user_sign_ins')
      .values({ user_id: user.id, last_sign_in_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_sign_in_at: now }))
      .execute();
    const ctx = personContext(user, input.correlationId);
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'activation.completed',
        targetType: 'user',
        targetId: user.id,
        details: { codeId: code.id, client: input.client },
      },
    ]);
    await deps.mailer.confirmation(tx, ctx, user);
    return ok({ userId: user.id, activatedAt: now.toISOString() });
  });
}

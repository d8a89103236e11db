import { recordAudit } from '../audit/index.ts';
import { err, type Failure, failure, ok, type RequestContext, type Result } from '../core/index.ts';
import { inTransaction, type Tx } from '../db/index.ts';
import type { User } from '../directory/index.ts';
import { codeMatches, generateCode, hashCode, newSessionToken } from './code-hash.ts';
import { factMatches } from './facts.ts';
import { personContext } from './person.ts';
import {
  clientKey,
  currentLock,
  personKey,
  pruneThrottle,
  recordFailure,
  resetFailures,
  unknownNameKey,
} from './throttle.ts';
import type { ActivationDeps, Verified, VerifyInput } from './types.ts';

/** How long step 2 may follow step 1. */
export const SESSION_MINUTES = 15;

// Never a real user id: unknown user names still run the code query, so they cost what known ones do.
const NO_USER = '00000000-0000-0000-0000-000000000000';

export function lockedFailure(lockedUntil: Date, now: Date): Failure {
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return failure(
    'activation.locked',
    `too many failed attempts: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    { retryAfterSeconds, lockedUntil: lockedUntil.toISOString() },
  );
}

/** The one answer to every wrong user name, code or fact, so none of them can be told apart. */
const invalidCredentials = () =>
  failure('activation.invalid_credentials', 'the user name, the code or the verification answer is wrong');

export function createVerify(deps: ActivationDeps) {
  const { settings } = deps;
  let dummyHash: string | undefined;
  // Compared against when there is no code, so a miss costs the same work as a wrong code.
  const dummy = () => {
    dummyHash ??= hashCode(deps.secrets, generateCode(settings.codeLength));
    return dummyHash;
  };

  /** Counts the failure against the person (or the unknown name) and the client; a lock it starts is told. */
  async function fail(tx: Tx, user: User | null, input: VerifyInput, now: Date): Promise<Result<Verified>> {
    const { maxFailures, clientMaxFailures, lockoutMinutes } = settings;
    await pruneThrottle(tx, now, lockoutMinutes);
    const subject = user ? personKey(user.id) : unknownNameKey(input.userName);
    const personLock = await recordFailure(tx, subject, maxFailures, now, lockoutMinutes);
    const clientLock = await recordFailure(
      tx,
      clientKey(input.client),
      clientMaxFailures,
      now,
      lockoutMinutes,
    );
    if (personLock && user) {
      await recordAudit(tx, deps.clock, personContext(user, input.correlationId), [
        {
          action: 'activation.locked',
          targetType: 'user',
          targetId: user.id,
          details: { client: input.client, lockedUntil: personLock.toISOString(), failures: maxFailures },
        },
      ]);
      deps.logger.warn({ userId: user.id, client: input.client }, 'activation locked after failed attempts');
    }
    // A client lock names no person, so it goes to the log only (an audit row needs a target).
    if (clientLock) deps.logger.warn({ client: input.client }, 'activation locked for a client address');
    const lock = personLock ?? clientLock;
    return err(lock ? lockedFailure(lock, now) : invalidCredentials());
  }

  return (input: VerifyInput): Promise<Result<Verified>> =>
    inTransaction(deps.db, async (tx) => {
      const now = deps.clock.now();
      const name = input.userName.trim();
      const found = name
        ? (await deps.directory.sync.lockUsersBy(tx, 'userName', [name])).get(name.toLowerCase())
        : undefined;
      const user = found && !found.deletedAt ? found : null;
      const subject = user ? personKey(user.id) : unknownNameKey(name);
      const lock = await currentLock(tx, [subject, clientKey(input.client)], now);
      if (lock) return err(lockedFailure(lock.lockedUntil, now));

      // The live code, else the newest used one (so a person who already activated can be told so).
      const codes = await tx
        .selectFrom('activation_codes')
        .selectAll()
        .where('user_id', '=', user?.id ?? NO_USER)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .execute();
      const code = codes.find((c) => c.used_at === null) ?? codes[0];
      // Both checks always run: which one failed must not show in the time taken.
      const codeOk = codeMatches(deps.secrets, code?.code_hash ?? dummy(), input.code);
      const factOk = factMatches(user, input.fact, settings.verification, settings.defaultTimezone);
      if (!user || !code || !codeOk || !factOk) return fail(tx, user, input, now);

      // Proven: from here on the person may be told what stands in the way.
      await resetFailures(tx, subject);
      const credentials = await tx
        .selectFrom('user_credentials')
        .select('activated_at')
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      const activatedSinceIssue =
        credentials && new Date(credentials.activated_at).getTime() >= new Date(code.created_at).getTime();
      if (code.used_at || activatedSinceIssue)
        return err(
          failure(
            'activation.already_activated',
            'this account is already activated: sign in with your password',
          ),
        );
      if (!user.accountEnabled)
        return err(
          failure(
            'activation.account_disabled',
            'this account is disabled: contact your manager or the service desk',
          ),
        );
      const validFrom = new Date(code.valid_from);
      const expiresAt = new Date(code.expires_at);
      if (now < validFrom)
        return err(
          failure('activation.not_yet_valid', `this code can be used from ${validFrom.toISOString()}`, {
            validFrom: validFrom.toISOString(),
          }),
        );
      if (now >= expiresAt)
        return err(
          failure(
            'activation.expired',
            'this code has expired: ask your manager or the service desk for a new one',
            {
              expiresAt: expiresAt.toISOString(),
            },
          ),
        );

      const session = newSessionToken();
      const sessionEnd = new Date(Math.min(now.getTime() + SESSION_MINUTES * 60_000, expiresAt.getTime()));
      await tx
        .insertInto('activation_sessions')
        .values({ token_hash: session.hash, user_id: user.id, code_id: code.id, expires_at: sessionEnd })
        .execute();
      const ctx: RequestContext = personContext(user, input.correlationId);
      await recordAudit(tx, deps.clock, ctx, [
        {
          action: 'activation.verified',
          targetType: 'user',
          targetId: user.id,
          details: { codeId: code.id, client: input.client },
        },
      ]);
      return ok({
        token: session.token,
        expiresAt: sessionEnd.toISOString(),
        displayName:
          user.displayName ?? ([user.givenName, user.familyName].filter(Boolean).join(' ') || null),
        passwordRules: { minLength: settings.passwordMinLength },
      });
    });
}

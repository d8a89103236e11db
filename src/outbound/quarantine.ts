import type { Db } from '../db/index.ts';
import type { Quarantine } from './apps.ts';
import type { Outcome } from './execute.ts';

/** Entra's quarantine reasons, so runbooks written for Entra read the same. */
export type QuarantineReason =
  | 'EncounteredQuarantineException'
  | 'EncounteredEscrowProportionThreshold'
  | 'TargetUnreachable';

/** At least this many attempted objects before the failure share can quarantine an app. */
export const ESCROW_MIN_ATTEMPTS = 5;
/** Share of retryable failures in a batch that quarantines the app (Entra uses 40%). */
export const ESCROW_PROPORTION = 0.4;

/**
 * Why a batch's outcomes should quarantine the app, or null. Credentials refused is immediate; otherwise
 * it is the share of objects that failed in a retryable way. Throttling is not a failure of the app: the
 * limiter slows down instead.
 */
export function quarantineCause(
  outcomes: readonly Outcome[],
): { reason: QuarantineReason; message: string } | null {
  const auth = outcomes.find((o) => o.failure?.code === 'auth' || o.failure?.code === 'forbidden');
  if (auth?.failure)
    return {
      reason: 'EncounteredQuarantineException',
      message: `the target refused the credentials: ${auth.failure.message}`,
    };
  // A failed lookup ends as action `skip` with status `failure`: it counts, or a target that is down at
  // matching time would never reach the threshold.
  const attempted = outcomes.filter(
    (o) => o.status === 'failure' || (o.action !== 'skip' && o.action !== 'unchanged'),
  );
  const escrowed = attempted.filter((o) => o.failure?.retryable && o.failure.code !== 'rate_limited');
  if (attempted.length >= ESCROW_MIN_ATTEMPTS && escrowed.length / attempted.length >= ESCROW_PROPORTION) {
    const sample = escrowed[0]?.failure?.message ?? '';
    return {
      reason: 'EncounteredEscrowProportionThreshold',
      message: `${escrowed.length} of ${attempted.length} objects failed (${sample})`,
    };
  }
  return null;
}

/** Quarantines the app; each quarantine in a row doubles the wait before the next try (max a day). */
export async function quarantineApp(
  db: Db,
  appId: string,
  previous: Quarantine | null,
  cause: { reason: QuarantineReason; message: string },
  now: Date,
  baseSeconds: number,
): Promise<Quarantine> {
  const count = (previous?.count ?? 0) + 1;
  const cap = cause.reason === 'TargetUnreachable' ? 3600 : 86_400;
  const wait = Math.min(cap, baseSeconds * 2 ** (count - 1));
  const quarantine: Quarantine = {
    reason: cause.reason,
    message: cause.message,
    since: previous?.since ?? now.toISOString(),
    retryAt: new Date(now.getTime() + wait * 1000).toISOString(),
    count,
  };
  await db
    .updateTable('outbound_apps')
    .set({ quarantine: JSON.stringify(quarantine) })
    .where('id', '=', appId)
    .execute();
  return quarantine;
}

export async function clearQuarantine(db: Db, appId: string): Promise<void> {
  await db.updateTable('outbound_apps').set({ quarantine: null }).where('id', '=', appId).execute();
}

import { sql } from 'kysely';
import { err, failure, isUuid, ok, type Result } from '../core/index.ts';
import type { WorkflowsDeps } from './types.ts';

const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Sign-in activity for inactivity triggers. Joinery signs nobody in itself (besides activation), so an
 * identity provider's sign-in feed is posted here; only the latest time per person is kept.
 */
export async function recordSignIns(
  deps: WorkflowsDeps,
  signIns: readonly { userId: string; at: string }[],
): Promise<Result<{ recorded: number }>> {
  const bad = signIns.find((s) => !isUuid(s.userId) || Number.isNaN(Date.parse(s.at)));
  if (bad)
    return err(
      failure('request.invalid', `sign-in ${JSON.stringify(bad)} needs a user id and an ISO time`, {
        in: 'body',
      }),
    );
  // A sign-in from the future would hold off an inactivity trigger until long after it; a few
  // minutes allow for the identity provider's clock.
  const latest = deps.clock.now().getTime() + FUTURE_SKEW_MS;
  const future = signIns.findIndex((s) => Date.parse(s.at) > latest);
  if (future >= 0) {
    const s = signIns[future] as { userId: string; at: string };
    const message = `sign-in of user ${s.userId} at ${s.at} is in the future`;
    return err(
      failure('request.invalid', message, {
        in: 'body',
        issues: [{ field: `signIns.${future}.at`, message: 'is in the future' }],
      }),
    );
  }
  if (signIns.length === 0) return ok({ recorded: 0 });
  const { rows } = await sql<{ n: number }>`
    with v as (
      select s.user_id, max(s.at) as at
        from jsonb_to_recordset(${JSON.stringify(signIns.map((s) => ({ user_id: s.userId, at: s.at })))}::jsonb)
             as s(user_id uuid, at timestamptz)
       where exists (select 1 from users u where u.id = s.user_id)
       group by s.user_id
    ), up as (
      insert into user_sign_ins (user_id, last_sign_in_at) select user_id, at from v
      on conflict (user_id) do update set last_sign_in_at = greatest(user_sign_ins.last_sign_in_at, excluded.last_sign_in_at)
      returning 1
    ) select count(*)::integer as n from up`.execute(deps.db);
  return ok({ recorded: Number(rows[0]?.n ?? 0) });
}

import { sql } from 'kysely';
import { DAY_MS } from '../core/index.ts';
import type { InboundDeps } from './types.ts';

export const PRUNE_QUEUE = 'inbound.prune';

/**
 * Runs and their records (raw HR payloads: personal data) are kept `days` days after they finished, like
 * Entra's 30-day provisioning logs, then deleted. Runs still pending, processing or held are never pruned.
 */
export async function pruneRuns(deps: InboundDeps, days: number): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - days * DAY_MS);
  const { rows } = await sql<{ n: number }>`
    with gone as (
      delete from inbound_runs
       where status in ('completed', 'rejected', 'applied', 'planned', 'failed')
         and coalesce(completed_at, received_at) < ${before}
      returning 1)
    select count(*)::int as n from gone`.execute(deps.db);
  return rows[0]?.n ?? 0;
}

import { sql } from 'kysely';
import type { Tx } from '../db/index.ts';
import type { SyncKey } from '../directory/index.ts';
import { flatSourceRecord, scimSourceRecord } from '../mapping/index.ts';
import type { CompiledSource } from './compiled-source.ts';
import { formatOf } from './runs.ts';
import type { InboundDeps, RunKind } from './types.ts';
import { asText, leaveDateReached, toDirectoryInput } from './user-input.ts';

export interface ThresholdVerdict {
  hold: boolean;
  disables: number;
  population: number;
  limitCount: number | null;
  limitPercent: number | null;
  reason: string | null;
}

/**
 * Counts how many people a run would disable before any of it is applied (Entra's accidental-deletion
 * prevention). The cheap bound (records whose mapping says disabled) is checked first; only when it
 * could pass a limit are the matched users read to see which of them are enabled today.
 */
export async function checkThreshold(
  tx: Tx,
  deps: InboundDeps,
  source: CompiledSource,
  run: { id: string; kind: RunKind; records?: readonly Record<string, unknown>[] },
): Promise<ThresholdVerdict> {
  const { count: limitCount, percent: limitPercent } = source.config.deletionThreshold;
  const verdict: ThresholdVerdict = {
    hold: false,
    disables: 0,
    population: 0,
    limitCount,
    limitPercent,
    reason: null,
  };
  if (limitCount === null && limitPercent === null) return verdict;
  const now = deps.clock.now();
  const format = formatOf(run.kind);
  const rows = run.records
    ? run.records.map((data) => ({ data }))
    : await tx
        .selectFrom('inbound_records')
        .select(['data'])
        .where('run_id', '=', run.id)
        .where('status', '=', 'pending')
        .execute();
  const pair = source.config.matching[0] as { source: string; target: SyncKey };
  const candidates: string[] = [];
  const ctx = { isCreate: false, now: () => now, isUnique: async () => true };
  for (const row of rows) {
    const rec = format === 'scim' ? scimSourceRecord(row.data) : flatSourceRecord(row.data);
    const mapped = source.mappings.usesDirectory
      ? await source.mappings.apply(rec, ctx)
      : source.mappings.applySync(rec, ctx);
    const { input } = toDirectoryInput(mapped.values, null);
    if (input.accountEnabled !== false && !leaveDateReached(input, null, now, deps.defaultTimezone)) continue;
    const key = asText(rec.get(pair.source));
    if (key !== null) candidates.push(key);
  }
  if (candidates.length === 0) return verdict;
  const column = sql.ref(
    pair.target === 'userName' ? 'user_name' : pair.target === 'externalId' ? 'external_id' : 'employee_id',
  );
  const { rows: counts } = await sql<{ disables: number; population: number }>`
    select
      (select count(*)::int from users where ${column} = any(${candidates}::text[]) and account_enabled and deleted_at is null) as disables,
      (select count(*)::int from users where ${column} is not null and deleted_at is null) as population`.execute(
    tx,
  );
  const { disables, population } = counts[0] ?? { disables: 0, population: 0 };
  verdict.disables = disables;
  verdict.population = population;
  const overCount = limitCount !== null && disables > limitCount;
  const overPercent = limitPercent !== null && population > 0 && (disables / population) * 100 > limitPercent;
  if (overCount || overPercent) {
    verdict.hold = true;
    verdict.reason = overCount
      ? `the run would disable ${disables} people, more than the threshold of ${limitCount}`
      : `the run would disable ${disables} of ${population} people (${((disables / population) * 100).toFixed(1)}%), more than the threshold of ${limitPercent}%`;
  }
  return verdict;
}

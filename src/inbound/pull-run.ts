import cronParser from 'cron-parser';
import { err, failure, ok, type Result } from '../core/index.ts';
import {
  PullError,
  type PullOptions,
  type PullPage,
  type PullResult,
  pullHttpJson,
  pullScim,
} from './pull/index.ts';
import type { Source } from './sources.ts';
import type { InboundDeps } from './types.ts';

/** Every record a pull source serves now (a delta after the stored watermark), and the next watermark. */
export async function fetchPull(
  source: Source,
  options: Pick<PullOptions, 'fetch' | 'retryBaseMs' | 'signal'> = {},
): Promise<Result<{ records: Record<string, unknown>[]; watermark: string | null }>> {
  const config = source.config;
  if (config.type !== 'scim-pull' && config.type !== 'http-json-pull') {
    return err(
      failure(
        'inbound.wrong_source_type',
        `source "${source.id}" is of type ${config.type}; only pull sources pull`,
        {
          id: source.id,
        },
      ),
    );
  }
  // No `now` from our clock: the watermark is compared with the remote system's timestamps, so it is
  // taken from real time, never from a test's or a skewed application clock.
  const pullOptions: PullOptions = { watermark: source.watermark, ...options };
  const pages: AsyncGenerator<PullPage, PullResult> =
    config.type === 'scim-pull' ? pullScim(config.pull, pullOptions) : pullHttpJson(config.pull, pullOptions);
  const records: Record<string, unknown>[] = [];
  try {
    for (;;) {
      const next = await pages.next();
      if (next.done) {
        return ok({
          records: config.type === 'scim-pull' ? newestById(records) : records,
          watermark: next.value.watermark,
        });
      }
      records.push(...next.value.records);
    }
  } catch (error) {
    if (!(error instanceof PullError)) throw error;
    return err({
      code: 'inbound.pull_failed',
      message: `pulling source "${source.id}" failed: ${error.failure.message}`,
      details: { ...error.failure },
      retryable: error.failure.retryable,
    });
  }
}

/**
 * Paging a list while it changes can serve one resource twice; keep one copy per SCIM id, the one with
 * the latest meta.lastModified, at the place of its first copy (so apply order stays the pulled order).
 */
export function newestById(records: Record<string, unknown>[]): Record<string, unknown>[] {
  const stamp = (r: Record<string, unknown>) => {
    const meta = r.meta as { lastModified?: unknown } | undefined;
    const t = typeof meta?.lastModified === 'string' ? Date.parse(meta.lastModified) : Number.NaN;
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  };
  const slot = new Map<string, number>();
  const out: Record<string, unknown>[] = [];
  for (const r of records) {
    const id = typeof r.id === 'string' ? r.id : null;
    const at = id === null ? undefined : slot.get(id);
    if (id === null || at === undefined) {
      if (id !== null) slot.set(id, out.length);
      out.push(r);
    } else if (stamp(r) >= stamp(out[at] as Record<string, unknown>)) {
      out[at] = r;
    }
  }
  return out;
}

/** Ids of enabled pull sources whose cron schedule (UTC) fired after their last pull began. */
export async function duePulls(deps: InboundDeps): Promise<string[]> {
  const sources = await deps.db
    .selectFrom('inbound_sources')
    .select(['id', 'config'])
    .where('enabled', '=', true)
    .where('type', 'in', ['scim-pull', 'http-json-pull'])
    .execute();
  const now = deps.clock.now();
  const due: string[] = [];
  for (const s of sources) {
    const schedule = (s.config as { schedule?: string }).schedule;
    if (!schedule) continue;
    const last = await deps.db
      .selectFrom('inbound_runs')
      .select('received_at')
      .where('source_id', '=', s.id)
      .where('kind', 'in', ['pull', 'scimPull'])
      .where('mode', '=', 'apply')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const fired = cronParser.parseExpression(schedule, { currentDate: now, tz: 'UTC' }).prev().toDate();
    if (!last || new Date(last.received_at).getTime() < fired.getTime()) due.push(s.id);
  }
  return due;
}

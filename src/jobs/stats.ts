import type { Database } from '../db/index.ts';
import { JOB_SCHEMA } from './boss.ts';
import type { QueueStats } from './types.ts';

/** Counts jobs by queue and state in one query (pg-boss's countStates() counts every queue). */
export async function readStats(database: Database, names: string[]): Promise<Record<string, QueueStats>> {
  const stats: Record<string, QueueStats> = {};
  for (const name of names) stats[name] = { queued: 0, active: 0, failed: 0, completed: 0 };
  if (names.length === 0) return stats;
  const { rows } = await database.executor.executeSql(
    `select name, state::text as state, count(*)::int as count
       from ${JOB_SCHEMA}.job where name = any($1::text[]) group by name, state`,
    [names],
  );
  for (const row of rows) {
    const queue = stats[String(row.name)];
    if (!queue) continue;
    const count = Number(row.count);
    switch (row.state) {
      case 'created':
      case 'retry':
        queue.queued += count;
        break;
      case 'active':
        queue.active += count;
        break;
      case 'failed':
        queue.failed += count;
        break;
      case 'completed':
        queue.completed += count;
        break;
    }
  }
  return stats;
}

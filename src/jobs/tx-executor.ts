import { CompiledQuery } from 'kysely';
import type { SqlExecutor, Tx } from '../db/index.ts';

/**
 * Lets pg-boss run its statement inside the caller's Kysely transaction (pg-boss's per-call `db`
 * option), so a job is enqueued if and only if the caller's writes commit: the transactional outbox.
 */
export function txExecutor(tx: Tx): SqlExecutor {
  return {
    async executeSql(text, values) {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as Record<string, unknown>[] };
    },
  };
}

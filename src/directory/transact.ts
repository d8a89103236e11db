import type { Failure, Result } from '../core/index.ts';
import { err } from '../core/index.ts';
import type { Db, Tx } from '../db/index.ts';
import { uniqueViolation } from './user-writes.ts';

class Rollback extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/**
 * One transaction per operation. A failed Result rolls everything back (nothing is half-written), and
 * a unique violation from a concurrent writer comes back as the same `directory.uniqueness` failure.
 */
export async function transact<T>(db: Db, fn: (tx: Tx) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await db.transaction().execute(async (tx) => {
      const result = await fn(tx);
      if (!result.ok) throw new Rollback(result.error);
      return result;
    });
  } catch (error) {
    if (error instanceof Rollback) return err(error.failure);
    const unique = uniqueViolation(error);
    if (unique) return err(unique);
    throw error;
  }
}

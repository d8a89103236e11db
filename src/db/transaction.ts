import type { Transaction } from 'kysely';
import type { Db } from './connect.ts';
import type { Tables } from './tables.ts';

export type Tx = Transaction<Tables>;

/** Runs `fn` in one transaction: everything a request or job writes commits together or not at all. */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';

/** Ordered, forward-only. Names sort in application order. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};

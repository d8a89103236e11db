import { type Clock, DAY_MS } from '../core/index.ts';
import type { Db } from '../db/index.ts';

export interface DirectoryDeps {
  db: Db;
  clock: Clock;
  /** Days a deleted object can be restored; the purge job removes it afterwards. */
  retentionDays: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The restore window as milliseconds: deletion + this is the last moment a restore is allowed. */
export function retentionMs(deps: DirectoryDeps): number {
  return deps.retentionDays * DAY_MS;
}

/** True when an object deleted at `deletedAt` can no longer be restored at `now`. */
export function pastRetention(deps: DirectoryDeps, deletedAt: string | Date, now: Date): boolean {
  return now.getTime() - new Date(deletedAt).getTime() > retentionMs(deps);
}

export {
  type Database,
  type Db,
  type Engine,
  type OpenOptions,
  openDatabase,
  type SqlExecutor,
} from './connect.ts';
export { type DataDirLock, DataDirLockedError, lockDataDir } from './data-dir-lock.ts';
export {
  calendarDaySql,
  isDateOnlySql,
  leaveEffectiveSql,
  postgresZones,
  zonedInstantSql,
  zoneSql,
} from './local-day.ts';
export { migrateToLatest, pendingMigrations } from './migrate.ts';
export type * from './tables.ts';
export type * from './tables-lifecycle.ts';
export { inTransaction, type Tx } from './transaction.ts';

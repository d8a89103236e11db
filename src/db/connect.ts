import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Mutex } from './mutex.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Tables } from './tables.ts';

export type Db = Kysely<Tables>;
export type Engine = 'pglite' | 'postgres';

/** What pg-boss (and anything else that speaks raw SQL) needs from the store. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface Database {
  db: Db;
  engine: Engine;
  /** Raw SQL on its own connection/turn, for the job queue. Never call it inside a transaction. */
  executor: SqlExecutor;
  /** Connection URL for components that open their own pool (PostgreSQL only). */
  url?: string;
  /** Embedded store only: a tarball of the data folder (test templates, backups). */
  dumpDataDir?: () => Promise<Blob>;
  /** PostgreSQL only: connection pool occupancy, for /metrics. */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export type OpenOptions =
  | { engine: 'postgres'; url: string; poolSize?: number }
  | { engine: 'pglite'; dataDir?: string; loadDataDir?: Blob };

// Both engines return the same JS types: int8 as number (our ids stay far below 2^53), dates as
// 'YYYY-MM-DD' strings (no time-zone shift), timestamps as Date.
const PG_INT8 = 20;
const PG_DATE = 1082;
pg.types.setTypeParser(PG_INT8, (v: string) => Number(v));
pg.types.setTypeParser(PG_DATE, (v: string) => v);

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.engine === 'postgres') return openPostgres(options.url, options.poolSize ?? 10);
  return openPGlite(options.dataDir, options.loadDataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'joinery' });
  // An idle client losing its server connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const executor: SqlExecutor = {
    async executeSql(text, values) {
      const result = await pool.query(text, values);
      // Multi-statement text returns one result per statement; callers only read the last one.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
    },
  };
  return {
    db,
    engine: 'postgres',
    executor,
    url,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {
      await db.destroy();
    },
  };
}

async function openPGlite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<Database> {
  const pglite = await PGlite.create(dataDir, {
    parsers: { [types.DATE]: (v: string) => v },
    // SCIM `co`/`ew` searches use trigram indexes (migration 0002); PGlite loads contrib code per open.
    extensions: { pg_trgm },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  const mutex = new Mutex();
  const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite, mutex) });
  const executor: SqlExecutor = {
    executeSql: (text, values) =>
      mutex.run(async () => {
        try {
          if (values && values.length > 0) {
            const result = await pglite.query<Record<string, unknown>>(text, values);
            return { rows: result.rows };
          }
          // Parameterless text may hold several statements (pg-boss migrations, locked commands):
          // only the simple protocol (exec) accepts that.
          const results = await pglite.exec(text);
          const last = results[results.length - 1];
          return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
        } catch (error) {
          // A failed statement inside an explicit BEGIN leaves the single connection in an aborted
          // transaction; clear it so the next caller starts clean.
          await pglite.exec('rollback').catch(() => {});
          throw error;
        }
      }),
  };
  let closed = false;
  return {
    db,
    engine: 'pglite',
    executor,
    dumpDataDir: () => mutex.run(() => pglite.dumpDataDir('none')),
    close: async () => {
      if (closed) return;
      closed = true;
      await mutex.run(async () => {
        await pglite.close();
      });
    },
  };
}

// Shared helpers for benchmarks: scratch databases, timing, machine facts and a plain-text table.
// Benchmarks are developer tools, not part of the server: reading process.env here is fine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { type Database, type Engine, migrateToLatest, openDatabase } from '../src/db/index.ts';

/** What `bench/run.ts` expects from every benchmark module. */
export interface BenchmarkModule {
  description: string;
  run(args: string[]): Promise<void>;
}

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function adminUrl(): string {
  return process.env.BENCH_DATABASE_URL || DEFAULT_ADMIN_URL;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface ScratchDatabase {
  database: Database;
  /** Where it lives: a temp folder (PGlite) or a database name (PostgreSQL). */
  location: string;
  dispose(): Promise<void>;
}

// Scratch databases not yet disposed, so Ctrl-C (or a kill) still removes them.
const live = new Set<() => Promise<void>>();
let interruptHooked = false;

function track(dispose: () => Promise<void>): () => Promise<void> {
  if (!interruptHooked) {
    interruptHooked = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: removing scratch databases`);
        void Promise.allSettled([...live].map((d) => d())).then(() => process.exit(130));
      });
    }
  }
  // One disposal, however many callers: a caller arriving while it runs waits for it to finish.
  let running: Promise<void> | undefined;
  const once = () => {
    live.delete(once);
    running ??= dispose();
    return running;
  };
  live.add(once);
  return once;
}

/**
 * A fresh, migrated database private to this run: a file-backed PGlite in a temp folder (what users
 * run), or a scratch PostgreSQL database created through the admin URL. `dispose` removes it.
 */
export async function scratchDatabase(engine: Engine, label: string): Promise<ScratchDatabase> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `joinery-bench-${label}-`));
    const database = await openDatabase({ engine: 'pglite', dataDir: dir });
    const dispose = track(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });
    try {
      await migrateToLatest(database.db as never);
    } catch (error) {
      await dispose();
      throw error;
    }
    return { database, location: dir, dispose };
  }
  const admin = adminUrl();
  const name = `joinery_bench_${process.pid}_${label}`;
  const drop = async () => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`drop database if exists ${name} with (force)`);
    } finally {
      await client.end();
    }
  };
  await drop();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const database = await openDatabase({ engine: 'postgres', url: withDatabase(admin, name), poolSize: 2 });
  try {
    await migrateToLatest(database.db as never);
  } catch (error) {
    await database.close();
    await drop();
    throw error;
  }
  return {
    database,
    location: name,
    dispose: track(async () => {
      await database.close();
      await drop();
    }),
  };
}

/** Server version string, e.g. "PostgreSQL 15.20". */
export async function serverVersion(database: Database): Promise<string> {
  const { rows } = await sql<{ v: string }>`select version() as v`.execute(database.db);
  const full = rows[0]?.v ?? 'unknown';
  return full.split(' on ')[0]?.split(',')[0] ?? full;
}

export function pgliteVersion(): string {
  try {
    const url = new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `node ${process.version}, ${availableParallelism()} cores (${cpu}), load average ${load}`;
}

export async function seconds(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Lets the event loop turn. PGlite runs in this thread and its queries resolve through promise
 * microtasks only, so a loop of batches never reaches the poll phase otherwise: Ctrl-C would wait for
 * the end of the run. Call it between batches (costs microseconds).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtSec = (s: number): string => s.toFixed(2);
export const fmtPct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** A left-aligned first column, right-aligned numbers, one header rule. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A small seeded PRNG (mulberry32) so every run benchmarks the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scratch store plus the data folder a Joinery server process needs to open it. */
export interface ServerStore extends ScratchDatabase {
  /** JOINERY_DATA_DIR for the server (admin-token file; on PGlite the store itself, in `pglite/`). */
  dataDir: string;
  /** DATABASE_URL for the server (PostgreSQL), or null: the server opens the PGlite in dataDir. */
  url: string | null;
}

/**
 * Like `scratchDatabase`, laid out the way `joinery start` opens a store: PGlite lives in
 * `<dataDir>/pglite`, so a server child can be pointed at it once this process has closed its handle.
 */
export async function scratchServerStore(engine: Engine, label: string): Promise<ServerStore> {
  const dataDir = mkdtempSync(join(tmpdir(), `joinery-bench-${label}-`));
  if (engine === 'postgres') {
    let scratch: ScratchDatabase;
    try {
      scratch = await scratchDatabase('postgres', label);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    const dispose = track(async () => {
      await scratch.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return { ...scratch, dispose, dataDir, url: withDatabase(adminUrl(), scratch.location) };
  }
  const store = join(dataDir, 'pglite');
  const database = await openDatabase({ engine: 'pglite', dataDir: store });
  const dispose = track(async () => {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    await migrateToLatest(database.db as never);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { database, location: store, dispose, dataDir, url: null };
}

/** The `--engine` option of every benchmark: pglite, postgres or both. */
export function parseEngines(value: string | undefined): Engine[] {
  if (value === 'both') return ['pglite', 'postgres'];
  if (value === 'pglite' || value === 'postgres') return [value];
  throw new Error(`--engine must be pglite, postgres or both, not "${value}"`);
}

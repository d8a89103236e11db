// SCIM search over HTTP: N users loaded by SQL, then `eq`, `sw`, `co` filters and 100-per-page
// listings around depth 10,000, through a Joinery server with a bearer token, at a fixed concurrency,
// beside the ceiling measured in the same run: the same statements the server runs (same WHERE,
// ORDER BY, LIMIT), straight on the database at the same concurrency, no HTTP and no rendering.
// The server is a child process (`node bin/joinery.mjs start`) so it and the load generator each have
// an event loop and can use a core each. See bench/scim-queries.ts for the queries and their checks.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createToken } from '../src/auth/index.ts';
import { systemClock, systemContext } from '../src/core/index.ts';
import { type Database, type Engine, openDatabase } from '../src/db/index.ts';
import {
  type CpuUse,
  cpuBetween,
  drive,
  explainLine,
  get,
  type Operation,
  parseList,
  type RunStats,
  resent,
  type ServerChild,
  sampleCpu,
  startServer,
} from './scim-drive.ts';
import { loadUsers, pickTargets } from './scim-load.ts';
import { summariseProfiles } from './scim-profile.ts';
import { type HttpCall, type QueryDef, queries, type SqlCall } from './scim-queries.ts';
import { fmtMs, printEngine, type Row } from './scim-report.ts';
import { checkCeilingSql, type Statement } from './scim-sql.ts';
import {
  fmtInt,
  fmtSec,
  machineLine,
  parseEngines,
  pgliteVersion,
  scratchServerStore,
  seededRandom,
  serverVersion,
} from './support.ts';

export const description = 'SCIM eq/sw/co filters and deep listings over HTTP vs the same SQL run directly';

const usage = `npm run bench -- scim [options]
  --users N         users to load (default 1000000 on PostgreSQL, 200000 on PGlite)
  --engine E        pglite | postgres | both (default both)
  --concurrency N   requests in flight, HTTP and SQL alike (default 8)
  --seconds S       measured seconds per query and side (default 10)
  --warmup S        unmeasured seconds before each (default 2)
  --only REGEX      run only the queries whose label matches (e.g. "emails|walk")
  --profile         CPU-profile the server during the HTTP runs and print where its time went
The server runs as a child process (node bin/joinery.mjs start) on the scratch store.
PostgreSQL: scratch databases are created through BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.`;

interface Options {
  users: number | null;
  concurrency: number;
  seconds: number;
  warmup: number;
  only: RegExp | null;
  profile: boolean;
}

function httpWorker(
  agent: http.Agent,
  server: ServerChild,
  token: string,
  label: string,
  next: () => HttpCall,
) {
  const tally = { sum: 0, n: 0 };
  const op: Operation = async () => {
    const call = next();
    const reply = await get(agent, server.url, call.path, token);
    if (reply.status !== 200)
      throw new Error(`${label}: HTTP ${reply.status} for ${call.path}: ${reply.body.slice(0, 300)}`);
    const list = parseList(reply.body);
    const verdict = call.check(list);
    if (verdict)
      throw new Error(`${label}: wrong answer for GET ${decodeURIComponent(call.path)}: ${verdict}`);
    tally.sum += list.totalResults;
    tally.n += 1;
    return reply.ms;
  };
  return { op, tally };
}

function sqlWorker(database: Database, label: string, next: () => SqlCall): Operation {
  return async () => {
    const call = next();
    const t0 = performance.now();
    const results: Record<string, unknown>[][] = [];
    const send = async (s: Statement) =>
      results.push((await database.executor.executeSql(s.text, s.values)).rows);
    for (const s of call.statements) await send(s);
    for (const s of call.followUp?.(results) ?? []) await send(s);
    const ms = performance.now() - t0;
    const verdict = call.check(results);
    if (verdict) throw new Error(`${label}: wrong SQL answer: ${verdict}`);
    return ms;
  };
}

const workersOf = <T>(n: number, make: (worker: number) => T): T[] =>
  Array.from({ length: n }, (_, w) => make(w));

async function httpPhase(
  engine: Engine,
  server: ServerChild,
  token: string,
  defs: QueryDef[],
  options: Options,
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const rows = new Map<QueryDef, NonNullable<Row['http']>>();
  try {
    for (const def of defs) {
      const { http: makeHttp } = def;
      if (!makeHttp) continue;
      const workers = workersOf(options.concurrency, (w) =>
        httpWorker(agent, server, token, def.label, makeHttp(w)),
      );
      let before = sampleCpu(server.pid, engine === 'postgres');
      let cpu: CpuUse = { server: undefined, postgres: undefined, client: 0 };
      const stats = await drive(
        workers.map((w) => w.op),
        options.warmup,
        options.seconds,
        {
          before: () => {
            for (const w of workers) Object.assign(w.tally, { sum: 0, n: 0 });
            before = sampleCpu(server.pid, engine === 'postgres');
          },
          after: () => {
            cpu = cpuBetween(before, sampleCpu(server.pid, engine === 'postgres'));
          },
        },
      );
      const sum = workers.reduce((a, w) => a + w.tally.sum, 0);
      const n = workers.reduce((a, w) => a + w.tally.n, 0);
      rows.set(def, { ...stats, cpu, matches: n ? sum / n : 0 });
      console.log(`  http ${def.label}: ${fmtInt(stats.requests)} requests, p99 ${fmtMs(stats.p99)} ms`);
    }
  } finally {
    agent.destroy();
  }
  if (resent.count > 0) console.log(`  (${resent.count} requests resent after a keep-alive socket closed)`);
  resent.count = 0;
  return rows;
}

async function sqlPhase(database: Database, defs: QueryDef[], options: Options) {
  const run = async (label: string, make: (w: number) => () => SqlCall) => {
    const stats = await drive(
      workersOf(options.concurrency, (w) => sqlWorker(database, label, make(w))),
      options.warmup,
      options.seconds,
    );
    console.log(`  sql  ${label}: ${fmtInt(stats.requests)} queries, p99 ${fmtMs(stats.p99)} ms`);
    return stats;
  };
  const out = new Map<QueryDef, { sql?: RunStats; rewrite?: RunStats }>();
  for (const def of defs) {
    const entry: { sql?: RunStats; rewrite?: RunStats } = {};
    if (def.sql) entry.sql = await run(def.label, def.sql);
    if (def.rewrite) entry.rewrite = await run(`${def.label} (indexable rewrite)`, def.rewrite);
    out.set(def, entry);
  }
  return out;
}

async function benchEngine(engine: Engine, options: Options): Promise<void> {
  const users = options.users ?? (engine === 'postgres' ? 1_000_000 : 200_000);
  const store = await scratchServerStore(engine, 'scim');
  let ceilingDb: Database | undefined;
  try {
    const version = await serverVersion(store.database);
    const defaulted =
      options.users === null && engine === 'pglite' ? ' (the PGlite default; --users N to change)' : '';
    console.log(`\n${engine}: ${version}, ${store.location}; ${fmtInt(users)} users${defaulted}`);
    const load = await loadUsers(store.database, users, console.log);
    console.log(
      `${engine}: loaded ${fmtInt(users)} users in ${fmtSec(load.insert + load.indexes + load.statistics)} s ` +
        `(insert ${fmtSec(load.insert)} s, ${load.indexCount} indexes rebuilt ${fmtSec(load.indexes)} s, ` +
        `${load.statisticsCommand} ${fmtSec(load.statistics)} s)`,
    );
    const targets = await pickTargets(store.database, users, 2_000, seededRandom(7));
    const { token } = await createToken(
      { db: store.database.db, clock: systemClock },
      systemContext('bench'),
      {
        name: 'bench',
        scopes: ['scim'],
      },
    );
    const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
    const defs = queries({ users, targets, tokenHash, concurrency: options.concurrency }).filter(
      (d) => !options.only || options.only.test(d.label),
    );
    // PGlite: one process at a time on a data folder; the server child opens it next.
    if (engine === 'pglite') await store.database.close();

    const pool = Math.max(10, options.concurrency);
    const profileDir = options.profile ? join(store.dataDir, 'profile') : undefined;
    const server = await startServer(store, { JOINERY_DATABASE_POOL_SIZE: String(pool) }, profileDir);
    console.log(
      `${engine}: server = child process \`node bin/joinery.mjs start\` (pid ${server.pid}, ${server.url.origin}, ` +
        `${engine === 'postgres' ? `pool ${pool}` : 'embedded PGlite in the child'}, log level info to ${server.logPath}); ` +
        `load generator = this process, node:http keep-alive agent (undici is not installed), ${options.concurrency} in flight`,
    );
    let httpRows: Awaited<ReturnType<typeof httpPhase>>;
    try {
      httpRows = await httpPhase(engine, server, token, defs, options);
    } catch (error) {
      // The data folder (and the log in it) is removed on the way out: show what the server said.
      console.error(`${engine}: server log tail:\n${readFileSync(server.logPath, 'utf8').slice(-3000)}`);
      throw error;
    } finally {
      await server.stop();
    }
    // The access log is part of the server's cost; a warning or an error in it would need a look.
    const log = readFileSync(server.logPath, 'utf8').split('\n');
    const notable = log.filter((line) => /"level":(40|50|60)/.test(line));
    const messages = [
      ...new Set(notable.map((line) => /"msg":"([^"]{0,160})/.exec(line)?.[1] ?? line.slice(0, 160))),
    ];
    console.log(
      `${engine}: server log: ${fmtInt(log.filter((line) => line.includes('"msg":"request"')).length)} access-log lines, ` +
        `${notable.length} warnings/errors${messages.length ? `: ${messages.slice(0, 3).join(' | ')}` : ''}`,
    );

    if (profileDir) {
      const requests = [...httpRows.values()].reduce((a, r) => a + r.requests, 0);
      console.log(
        `\n${engine}: server CPU profile over the HTTP runs (warm-ups included)\n${summariseProfiles(profileDir, requests)}\n`,
      );
    }

    ceilingDb =
      engine === 'postgres'
        ? await openDatabase({ engine: 'postgres', url: store.url ?? '', poolSize: options.concurrency })
        : await openDatabase({ engine: 'pglite', dataDir: join(store.dataDir, 'pglite') });
    const sqlRows = await sqlPhase(ceilingDb, defs, options);
    const rows: Row[] = defs.map((def) => ({
      label: def.label,
      http: httpRows.get(def),
      ...sqlRows.get(def),
    }));
    printEngine(engine, users, rows, options);

    console.log(
      `\n${engine}: EXPLAIN (ANALYZE, BUFFERS), one sample each (plan nodes outermost first; execution time):`,
    );
    for (const def of defs) {
      for (const [i, s] of (def.explain ?? []).entries()) {
        const what = i === 0 ? 'server SQL' : s.text.includes('count(*)') ? 'count' : 'indexable rewrite';
        console.log(`  ${def.label} [${what}]: ${await explainLine(ceilingDb.executor, s.text, s.values)}`);
      }
    }
  } finally {
    await ceilingDb?.close();
    await store.dispose();
  }
}

function positive(name: string, raw: string, integer: boolean): number {
  const n = Number(raw);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be a positive number, not "${raw}"`);
  return n;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string' },
      engine: { type: 'string', default: 'both' },
      concurrency: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const engines = parseEngines(values.engine);
  const options: Options = {
    users: values.users === undefined ? null : positive('users', values.users, true),
    concurrency: positive('concurrency', values.concurrency, true),
    seconds: positive('seconds', values.seconds, false),
    warmup: Number(values.warmup),
    only: values.only === undefined ? null : new RegExp(values.only, 'i'),
    profile: values.profile,
  };
  if (!(options.warmup >= 0)) throw new Error('--warmup must be 0 or more');
  // The listings start 10,000 deep and each worker walks its own stretch after that.
  if (options.users !== null && options.users < 10_000 + 200 * options.concurrency)
    throw new Error(`--users must be at least ${10_000 + 200 * options.concurrency} for the listings`);

  // Before loading anything: the ceiling must still be the SQL the server sends.
  await checkCeilingSql();
  console.log(
    `SCIM search benchmark: concurrency ${options.concurrency}, ${options.seconds} s measured + ${options.warmup} s ` +
      `warm-up per query and side, PGlite ${pgliteVersion()}; ceiling SQL checked against the server's own compiler`,
  );
  console.log(machineLine());
  for (const engine of engines) await benchEngine(engine, options);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`\nload average at the end: ${load} (other work on the machine slows every figure)`);
}

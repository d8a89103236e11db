// Inbound provisioning from HR over HTTP (B1): N people sent as Entra-style bulkUploads (SCIM
// BulkRequests of 50 POST /Users operations) to the default `hr` source of a Joinery server child, at a
// fixed concurrency, in three phases: (a) initial load, all created; (b) a full re-sync with 10% moved
// (title and department), 90% unchanged; (c) everyone changed. Per phase: records/s from the first
// request sent to the last record processed (the server's processedAt), the 202 latency, the time from
// sending a record to its processedAt, and the final counts, checked record by record. Beside it, the
// raw ceiling measured in the same run on the same engine: an UNNEST upsert of the same rows into
// `users` of a fresh migrated database, batches of the server's batch size (see bench/inbound-ceiling.ts).
// Both sides must end with the same directory (a digest of the fed attributes and the manager links).
// Where the time goes: CPU per process from /proc and drain-job time from /metrics (always), on
// PostgreSQL a pg_stat_activity sampling of the server's database (inbound-sample.ts), and on request a
// CPU profile per phase (--profile) or one drain batch replayed with its statements EXPLAINed plus a
// probe of the uniqueness pre-check during the phase (--explain, inbound-explain.ts).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createToken } from '../src/auth/index.ts';
import { systemClock, systemContext } from '../src/core/index.ts';
import { type Database, type Engine, openDatabase } from '../src/db/index.ts';
import { type CeilingPass, ceilingPhase, feedDigest } from './inbound-ceiling.ts';
import {
  bulkBodies,
  expectedCounts,
  expectedStatus,
  makePeople,
  type Person,
  type Phase,
  phases,
  phaseTitle,
} from './inbound-data.ts';
import {
  metricSum,
  percentile,
  pollOpenRuns,
  type RunDetail,
  readRuns,
  scrapeMetrics,
  type Upload,
  uploadAll,
} from './inbound-drive.ts';
import { explainHot, probeUniqueness } from './inbound-explain.ts';
import { summariseByArea } from './inbound-profile.ts';
import { activityTable, areaTable, type Sampler, sampleActivity } from './inbound-sample.ts';
import { type CpuUse, cpuBetween, type ServerChild, sampleCpu, startServer } from './scim-drive.ts';
import { summariseProfiles } from './scim-profile.ts';
import {
  adminUrl,
  fmtInt,
  fmtSec,
  machineLine,
  parseEngines,
  pgliteVersion,
  type ScratchDatabase,
  scratchDatabase,
  scratchServerStore,
  serverVersion,
  table,
} from './support.ts';

export const description =
  'HR bulkUpload over HTTP (load, 10% re-sync, all changed): records/s and time-to-processed vs a raw UNNEST upsert';

const usage = `npm run bench -- inbound [options]
  --people N        people in the HR set (default 100000 on PostgreSQL, 20000 on PGlite)
  --engine E        pglite | postgres | both (default both)
  --concurrency C   bulkUpload requests in flight (default 16)
  --operations K    operations per bulkUpload (default 50, Entra's maximum)
  --batch B         JOINERY_INBOUND_BATCH_SIZE of the server, and rows per ceiling statement (default 500)
  --poll-ms MS      interval of the completion poll (default 500; it does not bound the figure, processedAt does)
  --timeout S       give up a phase after S seconds (default 1800)
  --sample-ms MS    PostgreSQL: sample pg_stat_activity of the server's database every MS ms and print where the
                    connections spent their time (default 20; 0 turns it off)
  --profile         CPU-profile the server, one profile per phase (restarts the server around each phase)
  --explain         one drain batch again through the server's code, its statements timed and the slowest
                    EXPLAINed (after each phase on PostgreSQL, at the end on PGlite; rolled back)
The server runs as a child process (node bin/joinery.mjs start) on a scratch store; the ceiling has its
own fresh database. PostgreSQL: scratch databases are created through BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.`;

interface Options {
  people: number | null;
  concurrency: number;
  operations: number;
  batch: number;
  pollMs: number;
  timeoutS: number;
  sampleMs: number;
  profile: boolean;
  explain: boolean;
}

interface PhaseResult {
  phase: Phase;
  records: number;
  requests: number;
  /** First request sent to the last record processed. */
  s: number;
  /** First request sent to the last 202 received. */
  uploadS: number;
  p50: number;
  p99: number;
  ttpP50: number;
  ttpP99: number;
  ttpMax: number;
  /** Records/s processed after the last 202 (the drainer alone). */
  tailRate: number;
  counts: Record<string, number>;
  cpu: CpuUse;
  drainJobs: number;
  drainBusyS: number;
  events: number;
  polls: number;
  ceiling: CeilingPass;
  profile?: string;
  activity?: string;
  /** CPU of the server database's backends (PostgreSQL, when sampling). */
  backendCpuMs?: number;
  /** 1-minute load average of the machine at the end of the phase. */
  load: number;
  explain?: string[];
}

const PATH = '/api/v1/inbound/sources/hr/bulkUpload';
const PROBE_MS = 10_000;

/** Counts, statuses and timings of one phase from its runs; throws on any difference from the expectation. */
function analysePhase(
  phase: Phase,
  people: number,
  operations: number,
  uploads: readonly Upload[],
  runs: readonly RunDetail[],
) {
  const counts: Record<string, number> = {};
  const ttp: number[] = [];
  let lastProcessed = 0;
  let early = 0;
  const wrong: string[] = [];
  for (const [k, run] of runs.entries()) {
    const upload = uploads[k] as Upload;
    if (run.status !== 'completed') wrong.push(`run ${run.id} is ${run.status}`);
    if (run.operations.length !== run.total)
      wrong.push(`run ${run.id}: ${run.operations.length} of ${run.total} operations`);
    for (const [key, n] of Object.entries(run.counts)) counts[key] = (counts[key] ?? 0) + n;
    // Both clocks are this machine's wall clock; a run received before it was sent would mean they are not.
    if (Date.parse(run.receivedAt) < upload.sentAt - 5) early++;
    for (const op of run.operations) {
      const person = upload.index * operations + op.index;
      const wanted = expectedStatus(person, phase);
      if (op.status !== wanted) {
        wrong.push(
          `person ${person}: ${op.status}${op.error ? ` (${op.error.message})` : ''}, expected ${wanted}`,
        );
      }
      if (!op.processedAt) continue;
      const at = Date.parse(op.processedAt);
      lastProcessed = Math.max(lastProcessed, at);
      ttp.push(at - upload.sentAt);
    }
  }
  const expected = expectedCounts(people, phase);
  const keys = new Set([...Object.keys(expected), ...Object.keys(counts)]);
  for (const key of keys) {
    if ((counts[key] ?? 0) !== (expected[key] ?? 0)) {
      wrong.unshift(`counts.${key} = ${counts[key] ?? 0}, expected ${expected[key] ?? 0}`);
    }
  }
  if (ttp.length !== people) wrong.unshift(`${ttp.length} records have a processedAt, expected ${people}`);
  if (wrong.length > 0) {
    throw new Error(
      `phase ${phaseTitle[phase]}: the results differ from the expectation (${wrong.length} problems):\n  ` +
        wrong.slice(0, 12).join('\n  '),
    );
  }
  const first = Math.min(...uploads.map((u) => u.sentAt));
  const lastAnswer = Math.max(...uploads.map((u) => u.sentAt + u.ms));
  // After the last 202 the drainer has the server to itself: its own pace, without the intake.
  let tail = 0;
  for (const run of runs) {
    for (const op of run.operations) if (op.processedAt && Date.parse(op.processedAt) > lastAnswer) tail++;
  }
  return {
    tailRate: lastProcessed > lastAnswer ? tail / ((lastProcessed - lastAnswer) / 1000) : Number.NaN,
    counts,
    s: (lastProcessed - first) / 1000,
    uploadS: (lastAnswer - first) / 1000,
    ttpP50: percentile(ttp, 0.5),
    ttpP99: percentile(ttp, 0.99),
    ttpMax: percentile(ttp, 1),
    early,
  };
}

async function benchEngine(engine: Engine, options: Options): Promise<PhaseResult[]> {
  const count = options.people ?? (engine === 'postgres' ? 100_000 : 20_000);
  const people = makePeople(count);
  const requests = Math.ceil(count / options.operations);
  const store = await scratchServerStore(engine, 'inbound');
  let ceiling: ScratchDatabase | undefined;
  let server: ServerChild | undefined;
  let reopened: Database | undefined;
  const results: PhaseResult[] = [];
  try {
    ceiling = await scratchDatabase(engine, 'inbound_ceiling');
    const defaulted =
      options.people === null && engine === 'pglite' ? ' (the PGlite default; --people N to change)' : '';
    console.log(
      `\n${engine}: ${await serverVersion(store.database)}; server store ${store.location}, ceiling ${ceiling.location}; ` +
        `${fmtInt(count)} people${defaulted}, ${fmtInt(requests)} bulkUploads of ${options.operations} per phase`,
    );
    const { token } = await createToken(
      { db: store.database.db, clock: systemClock },
      systemContext('bench'),
      { name: 'bench', scopes: ['inbound.upload'] },
    );
    // PGlite: one process at a time on a data folder; the server child opens it next.
    if (engine === 'pglite') await store.database.close();
    // The probe reads the trigram index's pending list with pgstattuple (contrib), when installed.
    if (engine === 'postgres' && options.explain) {
      await sql`create extension if not exists pgstattuple`.execute(store.database.db).catch(() => undefined);
    }
    const poolSize = Math.max(10, options.concurrency + 2);
    const settings = {
      JOINERY_DATABASE_POOL_SIZE: String(poolSize),
      JOINERY_INBOUND_BATCH_SIZE: String(options.batch),
    };
    const start = (profileDir?: string) => startServer(store, settings, profileDir);
    if (!options.profile) server = await start();
    for (const phase of phases) {
      const bodies = bulkBodies(people, phase, options.operations);
      // The ceiling first, while the server is idle, then the server: the same machine state for both.
      const ceil = await ceilingPhase(ceiling.database, people, phase, options.batch);
      const wantWritten = phase === 'b' ? (expectedCounts(count, 'b').updated ?? 0) : count;
      if (ceil.written !== wantWritten) {
        throw new Error(`ceiling phase ${phase}: wrote ${ceil.written} rows, expected ${wantWritten}`);
      }
      const profileDir = options.profile ? join(store.dataDir, `profile-${phase}`) : undefined;
      if (options.profile) server = await start(profileDir);
      const live = server as ServerChild;
      if (phase === 'a') {
        console.log(
          `${engine}: server = child process \`node bin/joinery.mjs start\` (pid ${live.pid}, ${live.url.origin}, ` +
            `${engine === 'postgres' ? `pool ${poolSize}` : 'embedded PGlite in the child'}, ` +
            `JOINERY_INBOUND_BATCH_SIZE ${options.batch}${options.profile ? ', --cpu-prof' : ''}); ` +
            `load generator = this process, ${options.concurrency} bulkUploads in flight`,
        );
      }
      const metricsBefore = await scrapeMetrics(live);
      const sampler: Sampler | undefined =
        engine === 'postgres' && options.sampleMs > 0
          ? await sampleActivity(adminUrl(), store.location, options.sampleMs)
          : undefined;
      const cpuBefore = sampleCpu(live.pid, engine === 'postgres');
      const probes: string[] = [];
      let probing = engine === 'postgres' && options.explain;
      const phaseStart = Date.now();
      const probeLoop = (async () => {
        for (let k = 1; probing; k++) {
          await new Promise((r) => setTimeout(r, PROBE_MS));
          if (!probing) break;
          const line = await probeUniqueness(store.database, options.batch, k).catch((e: unknown) =>
            String(e),
          );
          probes.push(`+${((Date.now() - phaseStart) / 1000).toFixed(0)} s, ${line}`);
        }
      })();
      const uploading = uploadAll(live, token, bodies, options.concurrency, PATH);
      const poller = pollOpenRuns(live, token, 'hr', uploading, options.pollMs, options.timeoutS * 1000);
      // A held or failed run rejects the poll while the uploads still run: handled below, not unhandled.
      poller.done.catch(() => undefined);
      let uploads: Upload[];
      let polls: number;
      try {
        uploads = await uploading;
        polls = (await poller.done).polls;
      } catch (error) {
        probing = false;
        await probeLoop;
        await sampler?.stop();
        poller.stop();
        await poller.done.catch(() => undefined);
        console.error(`${engine}: server log tail:\n${readFileSync(live.logPath, 'utf8').slice(-3000)}`);
        throw error;
      }
      const cpu = cpuBetween(cpuBefore, sampleCpu(live.pid, engine === 'postgres'));
      probing = false;
      await probeLoop;
      const sampled = await sampler?.stop();
      const activity = sampled
        ? `${areaTable(sampled.counts)}\n\n${activityTable(sampled.counts, 12)}`
        : undefined;
      const metricsAfter = await scrapeMetrics(live);
      const delta = (prefix: string, ...parts: string[]) =>
        metricSum(metricsAfter, prefix, ...parts) - metricSum(metricsBefore, prefix, ...parts);
      let reader = live;
      let profile: string | undefined;
      if (options.profile && profileDir) {
        // The profile must not include reading the results back: stop, summarise, read from a plain server.
        await live.stop();
        profile = `${summariseProfiles(profileDir, count)}\n\n${summariseByArea(profileDir, count)}`;
        server = await start();
        reader = server;
      }
      const runs = await readRuns(
        reader,
        token,
        uploads.map((u) => u.runId),
        options.concurrency,
      );
      if (options.profile) {
        await reader.stop();
        server = undefined;
      }
      const analysed = analysePhase(phase, count, options.operations, uploads, runs);
      // PostgreSQL: the state right after the phase, while the server is idle (PGlite: once, at the end).
      const explain =
        options.explain && engine === 'postgres'
          ? await explainHot(store.database, options.batch)
          : undefined;
      const latencies = uploads.map((u) => u.ms);
      const result: PhaseResult = {
        phase,
        records: count,
        requests: uploads.length,
        s: analysed.s,
        uploadS: analysed.uploadS,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        ttpP50: analysed.ttpP50,
        ttpP99: analysed.ttpP99,
        ttpMax: analysed.ttpMax,
        tailRate: analysed.tailRate,
        counts: analysed.counts,
        cpu,
        drainJobs: delta('joinery_job_duration_seconds_count', 'inbound.drain'),
        drainBusyS: delta('joinery_job_duration_seconds_sum', 'inbound.drain'),
        events: delta('joinery_events_delivered_total'),
        polls,
        ceiling: ceil,
        ...(profile ? { profile } : {}),
        ...(explain
          ? {
              explain: [
                ...explain,
                ...(probes.length > 0
                  ? [
                      `during the phase, every ${PROBE_MS / 1000} s, the uniqueness pre-check of ${options.batch} joiners (read-only):`,
                      ...probes.map((p) => `  ${p}`),
                    ]
                  : []),
              ],
            }
          : {}),
        ...(activity ? { activity } : {}),
        load: loadavg()[0] ?? Number.NaN,
        ...(sampled?.backendCpuMs !== undefined ? { backendCpuMs: sampled.backendCpuMs } : {}),
      };
      results.push(result);
      const counts = Object.entries(result.counts)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ');
      console.log(
        `  ${phaseTitle[phase]}: ${fmtSec(result.s)} s, ${fmtInt(count / result.s)} records/s (${counts}; ` +
          `checked record by record); ceiling ${fmtSec(ceil.s)} s, ${fmtInt(count / ceil.s)} rows/s` +
          (analysed.early > 0
            ? `; WARNING ${analysed.early} runs received before they were sent (clock?)`
            : ''),
      );
    }
    await server?.stop();
    server = undefined;

    // Same directory on both sides: the fed attributes and every manager link.
    let storeDb = store.database;
    if (engine === 'pglite') {
      reopened = await openDatabase({ engine: 'pglite', dataDir: join(store.dataDir, 'pglite') });
      storeDb = reopened;
    }
    const mine = await feedDigest(storeDb);
    const raw = await feedDigest(ceiling.database);
    const managersWanted = people.filter((p: Person) => p.manager !== null).length;
    if (mine.digest !== raw.digest || mine.users !== count || mine.managers !== managersWanted) {
      throw new Error(
        `final state differs: server ${mine.users} users, ${mine.managers} manager links, digest ${mine.digest}; ` +
          `ceiling ${raw.users} users, ${raw.managers} links, digest ${raw.digest}; expected ${count} users, ${managersWanted} links`,
      );
    }
    console.log(
      `${engine}: server and ceiling hold the same ${fmtInt(mine.users)} users and ${fmtInt(mine.managers)} manager links ` +
        `(digest ${mine.digest.slice(0, 8)})`,
    );
    const log = readFileSync(join(store.dataDir, 'server.log'), 'utf8').split('\n');
    const notable = log.filter((line) => /"level":(40|50|60)/.test(line));
    const messages = [
      ...new Set(notable.map((line) => /"msg":"([^"]{0,160})/.exec(line)?.[1] ?? line.slice(0, 160))),
    ];
    console.log(
      `${engine}: server log: ${notable.length} warnings/errors${messages.length ? `: ${messages.slice(0, 3).join(' | ')}` : ''}`,
    );
    if (options.explain && engine === 'pglite') {
      (results[results.length - 1] as PhaseResult).explain = await explainHot(storeDb, options.batch);
    }
    printEngine(engine, count, options, results);
    return results;
  } finally {
    await server?.stop();
    await reopened?.close();
    await ceiling?.dispose();
    await store.dispose();
  }
}

const fmtMs = (ms: number) => (Number.isNaN(ms) ? '-' : ms < 100 ? ms.toFixed(1) : fmtInt(ms));
const cpuS = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

function printEngine(engine: Engine, count: number, options: Options, results: PhaseResult[]): void {
  console.log(
    `\n${engine}, ${fmtInt(count)} people, ${options.operations} per bulkUpload, ${options.concurrency} in flight, ` +
      `server batch ${options.batch} (times in ms unless marked s)`,
  );
  console.log(
    table(
      [
        'phase',
        'total s',
        'records/s',
        'upload s',
        'after rec/s',
        '202 p50',
        '202 p99',
        'to-processed p50',
        'p99',
        'max',
        'ceiling s',
        'rows/s',
        'vs ceiling',
      ],
      results.map((r) => [
        phaseTitle[r.phase],
        fmtSec(r.s),
        fmtInt(r.records / r.s),
        fmtSec(r.uploadS),
        Number.isNaN(r.tailRate) ? '-' : fmtInt(r.tailRate),
        fmtMs(r.p50),
        fmtMs(r.p99),
        fmtInt(r.ttpP50),
        fmtInt(r.ttpP99),
        fmtInt(r.ttpMax),
        fmtSec(r.ceiling.s),
        fmtInt(r.records / r.ceiling.s),
        `${((r.ceiling.s / r.s) * 100).toFixed(0)}%`,
      ]),
    ),
  );
  console.log(
    'total = first request sent to the last record processed (processedAt, the server clock = this machine).\n' +
      'upload = first request sent to the last 202; after rec/s = records processed after the last 202 per second\n' +
      '(the drainer alone, without the intake). to-processed = per record, request sent to its processedAt.\n' +
      `ceiling = UNNEST upsert of the same rows into users, ${options.batch} per statement, one after another (no log,\n` +
      'no events, no run bookkeeping); vs ceiling = ceiling s / total s.',
  );
  console.log(`\n${engine}: where the time went (CPU seconds from /proc during the phase; /metrics deltas)`);
  console.log(
    table(
      [
        'phase',
        'server CPU s',
        'its backends CPU s',
        'all postgres CPU s',
        'bench CPU s',
        'load 1 min',
        'drain jobs',
        'drain busy s',
        'events',
        'polls',
      ],
      results.map((r) => [
        phaseTitle[r.phase],
        cpuS(r.cpu.server),
        engine === 'postgres' ? cpuS(r.backendCpuMs) : 'in server',
        engine === 'postgres' ? cpuS(r.cpu.postgres) : 'in server',
        cpuS(r.cpu.client),
        r.load.toFixed(1),
        fmtInt(r.drainJobs),
        fmtSec(r.drainBusyS),
        fmtInt(r.events),
        fmtInt(r.polls),
      ]),
    ),
  );
  console.log(
    "its backends = the PostgreSQL backends of the server's database (seen by the sampler); all postgres = every\n" +
      'postgres process of the machine (the ceiling is idle then, but other work on this PostgreSQL counts, and WAL\n' +
      'writer, checkpointer, autovacuum). drain busy = time inside inbound.drain jobs (one drainer per source: close\n' +
      "to total s means the drainer is the bottleneck). The machine's load average is printed at the start and end.",
  );
  for (const r of results) {
    if (r.activity) {
      console.log(
        `\n${engine} ${phaseTitle[r.phase]}: the server's database connections (every ${options.sampleMs} ms; ` +
          'backends = average busy at once)',
      );
      console.log(r.activity);
    }
  }
  for (const r of results) {
    if (!r.explain) continue;
    console.log(
      `\n${engine} after ${phaseTitle[r.phase]}: one drain batch again through the server's code (rolled back), ` +
        'its statements, and EXPLAIN (ANALYZE, BUFFERS) of the slowest',
    );
    for (const line of r.explain) console.log(`  ${line}`);
  }
  for (const r of results) {
    if (r.profile)
      console.log(
        `\n${engine} ${phaseTitle[r.phase]}: server CPU profile (ms/req = ms per record)\n${r.profile}`,
      );
  }
  const byPhase = (p: Phase) => results.find((r) => r.phase === p) as PhaseResult;
  const rate = (p: Phase) => byPhase(p).records / byPhase(p).s;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const note = engine === 'postgres' ? '' : ' (targets are set for PostgreSQL; shown for reference)';
  console.log(`\n${engine} targets${note}:`);
  for (const p of ['a', 'c'] as const) {
    console.log(
      `  ${verdict(rate(p) >= 2_000)} ${phaseTitle[p]}: >= 2,000 changed records/s: ${fmtInt(rate(p))} records/s` +
        `  (aim 5,000: ${verdict(rate(p) >= 5_000)})`,
    );
  }
  const b = byPhase('b');
  // The 20 s are for 100,000 people: another size is held to the same pace (20 s x N / 100,000).
  const limit = (20 * count) / 100_000;
  const scaled =
    count === 100_000 ? '' : ` (20 s is for 100,000 people: ${fmtSec(limit)} s for ${fmtInt(count)})`;
  console.log(
    `  ${verdict(b.s < limit)} ${phaseTitle.b}: under ${fmtSec(limit)} s: ${fmtSec(b.s)} s${scaled}`,
  );
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
      people: { type: 'string' },
      engine: { type: 'string', default: 'both' },
      concurrency: { type: 'string', default: '16' },
      operations: { type: 'string', default: '50' },
      batch: { type: 'string', default: '500' },
      'poll-ms': { type: 'string', default: '500' },
      'sample-ms': { type: 'string', default: '20' },
      timeout: { type: 'string', default: '1800' },
      profile: { type: 'boolean', default: false },
      explain: { type: 'boolean', default: false },
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
    people: values.people === undefined ? null : positive('people', values.people, true),
    concurrency: positive('concurrency', values.concurrency, true),
    operations: positive('operations', values.operations, true),
    batch: positive('batch', values.batch, true),
    pollMs: positive('poll-ms', values['poll-ms'], true),
    timeoutS: positive('timeout', values.timeout, false),
    sampleMs: Number(values['sample-ms']),
    profile: values.profile,
    explain: values.explain,
  };
  if (!(options.sampleMs >= 0)) throw new Error('--sample-ms must be 0 or more');
  if (options.concurrency > 256) throw new Error('--concurrency must be at most 256');
  console.log(
    `inbound bulkUpload benchmark: ${options.operations} operations per request, ${options.concurrency} in flight, ` +
      `server batch ${options.batch}, PGlite ${pgliteVersion()}`,
  );
  console.log(machineLine());
  for (const engine of engines) await benchEngine(engine, options);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`\nload average at the end: ${load} (other work on the machine slows every figure)`);
}

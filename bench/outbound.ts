// Outbound provisioning over SCIM 2.0 (B2): N users, G groups and M memberships loaded into a fresh
// Joinery store through the directory module, then pushed by Joinery's engine to an in-memory SCIM
// target running in another process (test/peers/memory-scim-target.ts), through the admin API:
//   initial  – POST /api/v1/outbound/apps, POST .../start, poll .../status until the cycle is done with
//              nothing pending; the target must then hold every user, group and membership;
//   incremental – directory changes (PATCH /scim/v2/Users/{id}, replace title) at a steady rate through
//              Joinery's SCIM server; change-to-target = the target's write time (its /_control/writes,
//              same machine clock) minus the send time, matched by userName.
// Beside it, the raw ceiling measured in the same run: the same users and then groups (with their
// members) POSTed straight from this process into a second, fresh target at the same concurrency, over
// keep-alive: what the HTTP path and the target allow with no engine at all.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createToken } from '../src/auth/index.ts';
import { systemClock, systemContext } from '../src/core/index.ts';
import type { Engine } from '../src/db/index.ts';
import { type BenchData, loadDirectory, makeData } from './outbound-data.ts';
import {
  type CeilingResult,
  ceiling,
  expectTargetHolds,
  startTarget,
  type TargetChild,
} from './outbound-drive.ts';
import {
  checkTitles,
  createAndStart,
  type IncrementalResult,
  incremental,
  OutboundApiMissing,
  waitForCycle,
} from './outbound-joinery.ts';
import { type ServerChild, startServer } from './scim-drive.ts';
import {
  fmtInt,
  fmtSec,
  machineLine,
  parseEngines,
  pgliteVersion,
  scratchServerStore,
  seconds,
  seededRandom,
  serverVersion,
  table,
} from './support.ts';

export const description =
  'SCIM push to an in-memory target (initial cycle, then changes at a steady rate) vs plain POSTs';

const usage = `npm run bench -- outbound [options]
  --users N          users in the directory (default 100000)
  --groups G         groups (default 1000)
  --memberships M    (user, group) memberships, spread over the groups (default 20000)
  --engine E         postgres | pglite | both (default postgres; --engines is the same option)
  --concurrency C    requests in flight: the app's rateLimit.concurrency and the ceiling's (default 16)
  --changes K        directory changes in the incremental phase (default 1000)
  --change-rate R    changes sent per second (default 100)
  --poll-ms MS       interval of the status poll (default 500)
  --timeout S        give up the initial cycle after S seconds (default 900)
  --change-timeout S give up waiting for the changes to reach the target after S seconds (default 120)
The data is written through the directory module in this process before the server starts. The Joinery
server (node bin/joinery.mjs start) and both SCIM targets (node bin/run-ts.mjs
test/peers/memory-scim-target-main.ts) are child processes. PostgreSQL: scratch databases are created
through BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.`;

interface Options {
  users: number;
  groups: number;
  memberships: number;
  concurrency: number;
  changes: number;
  changeRate: number;
  pollMs: number;
  timeoutS: number;
  changeTimeoutS: number;
}

interface EngineResult {
  loadS: number;
  ceiling: CeilingResult;
  initialS?: number;
  polls?: number;
  incremental?: IncrementalResult;
}

const INITIAL_GOAL_S = 300;
const INITIAL_AIM_S = 120;
const P99_GOAL_MS = 10_000;

async function benchEngine(engine: Engine, data: BenchData, options: Options): Promise<EngineResult> {
  const store = await scratchServerStore(engine, 'outbound');
  let server: ServerChild | undefined;
  let target: TargetChild | undefined;
  let raw: TargetChild | undefined;
  // The Joinery id of each user, by index (set by the load).
  let ids: string[] = [];
  try {
    console.log(`\n${engine}: ${await serverVersion(store.database)}; server store ${store.location}`);
    const loadS = await seconds(async () => {
      const { userIds } = await loadDirectory(store.database, data);
      ids = userIds;
    });
    console.log(
      `${engine}: loaded ${fmtInt(data.users.length)} users, ${fmtInt(data.groups.length)} groups, ` +
        `${fmtInt(data.memberships)} memberships through the directory module in ${fmtSec(loadS)} s`,
    );
    const deps = { db: store.database.db, clock: systemClock };
    const ctx = systemContext('bench');
    const admin = (await createToken(deps, ctx, { name: 'bench-admin', scopes: ['admin'] })).token;
    const scim = (await createToken(deps, ctx, { name: 'bench-scim', scopes: ['scim'] })).token;
    // PGlite: one process at a time on a data folder; the server child opens it next.
    if (engine === 'pglite') await store.database.close();

    [target, raw] = await Promise.all([startTarget('bench-target'), startTarget('bench-ceiling')]);
    server = await startServer(store, {
      JOINERY_DATABASE_POOL_SIZE: String(Math.max(10, options.concurrency + 4)),
    });
    console.log(
      `${engine}: server = child process \`node bin/joinery.mjs start\` (pid ${server.pid}, ${server.url.origin}); ` +
        `SCIM target = child process (pid ${target.pid}, ${target.url}); ceiling target pid ${raw.pid}; ` +
        `${options.concurrency} requests in flight`,
    );

    // The ceiling first, while the server is idle.
    const ceil = await ceiling(raw, data, options.concurrency);
    await expectTargetHolds(raw, data, 'ceiling');
    await raw.stop();
    raw = undefined;
    console.log(
      `  raw ceiling: ${fmtSec(ceil.s)} s, ${fmtInt(ceil.objects / ceil.s)} objects/s (users ${fmtSec(ceil.usersS)} s, ` +
        `groups with members ${fmtSec(ceil.groupsS)} s; POST p50 ${ceil.p50.toFixed(1)} ms, p99 ${ceil.p99.toFixed(1)} ms; ` +
        'the target holds them all)',
    );
    const result: EngineResult = { loadS, ceiling: ceil };

    try {
      const cycle = await createAndStart(server, admin, target, options.concurrency);
      console.log(`  joinery: app ${cycle.appId}, initial cycle ${cycle.cycleId} started`);
      const done = await waitForCycle(server, admin, target, cycle, options.pollMs, options.timeoutS * 1000);
      result.initialS = (done.doneAt - cycle.startSentAt) / 1000;
      result.polls = done.polls;
      await expectTargetHolds(target, data, 'after the initial cycle');
      console.log(
        `  joinery initial cycle: ${fmtSec(result.initialS)} s, ${fmtInt(ceil.objects / result.initialS)} objects/s ` +
          `(counts ${JSON.stringify(done.status.lastCycle?.counts ?? {})}, linked ${done.status.linked.users} users / ` +
          `${done.status.linked.groups} groups; the target holds them all)`,
      );

      const random = seededRandom(99);
      const picked = new Set<number>();
      const wanted = Math.min(options.changes, data.users.length);
      while (picked.size < wanted) picked.add(Math.floor(random() * data.users.length));
      const changes = [...picked].map((i, k) => ({
        id: ids[i] as string,
        userName: data.users[i]?.userName as string,
        title: `Bench title ${k}`,
      }));
      result.incremental = await incremental(
        server,
        scim,
        target,
        changes,
        options.changeRate,
        options.changeTimeoutS * 1000,
      );
      await checkTitles(target, changes, 25);
      const inc = result.incremental;
      console.log(
        `  joinery incremental: ${fmtInt(inc.changes)} changes in ${fmtSec(inc.sendS)} s; change-to-target p50 ` +
          `${fmtInt(inc.p50)} ms, p99 ${fmtInt(inc.p99)} ms, max ${fmtInt(inc.max)} ms (titles checked on the target)`,
      );
    } catch (error) {
      if (!(error instanceof OutboundApiMissing)) {
        console.error(`${engine}: server log tail:\n${readFileSync(server.logPath, 'utf8').slice(-3000)}`);
      }
      throw error;
    }
    printEngine(engine, data, options, result);
    return result;
  } finally {
    await server?.stop();
    await Promise.allSettled([target?.stop(), raw?.stop()]);
    await store.dispose();
  }
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function printEngine(engine: Engine, data: BenchData, options: Options, r: EngineResult): void {
  const objects = data.users.length + data.groups.length;
  console.log(
    `\n${engine}, ${fmtInt(data.users.length)} users, ${fmtInt(data.groups.length)} groups, ` +
      `${fmtInt(data.memberships)} memberships, ${options.concurrency} requests in flight`,
  );
  const rows = [['raw ceiling', fmtSec(r.ceiling.s), fmtInt(objects / r.ceiling.s), '100%']];
  if (r.initialS !== undefined) {
    rows.push([
      'joinery initial cycle',
      fmtSec(r.initialS),
      fmtInt(objects / r.initialS),
      `${((r.ceiling.s / r.initialS) * 100).toFixed(0)}%`,
    ]);
  }
  console.log(table(['side', 'total s', 'objects/s', 'vs ceiling'], rows));
  console.log(
    'objects = users + groups (memberships travel with the groups). ceiling = plain POSTs of the same users, then\n' +
      'the groups with their members, from this process into a fresh target at the same concurrency (keep-alive).\n' +
      'joinery = start request sent to the cycle finishedAt (server clock = this machine).',
  );
  const inc = r.incremental;
  if (inc) {
    console.log(
      `\n${engine} incremental: ${fmtInt(inc.changes)} PATCH title through Joinery's SCIM server at ${options.changeRate}/s`,
    );
    console.log(
      table(
        ['changes', 'send s', 'late max ms', 'PATCH p50', 'PATCH p99', 'to-target p50', 'p99', 'max'],
        [
          [
            fmtInt(inc.changes),
            fmtSec(inc.sendS),
            fmtInt(inc.lateMax),
            inc.patchP50.toFixed(1),
            inc.patchP99.toFixed(1),
            fmtInt(inc.p50),
            fmtInt(inc.p99),
            fmtInt(inc.max),
          ],
        ],
      ),
    );
    console.log(
      'to-target = the target applied the change (its write log) minus the PATCH sent to Joinery, per user (ms).',
    );
  }
  const note = engine === 'postgres' ? '' : ' (the goals are set for PostgreSQL; shown for reference)';
  const scale =
    data.users.length === 100_000
      ? ''
      : ` (the goals are for 100,000 users; this run has ${fmtInt(data.users.length)})`;
  console.log(`\n${engine} goals${note}${scale}:`);
  if (r.initialS !== undefined) {
    console.log(
      `  ${verdict(r.initialS < INITIAL_GOAL_S)} initial cycle under ${INITIAL_GOAL_S / 60} min: ${fmtSec(r.initialS)} s` +
        `  (aim ${INITIAL_AIM_S / 60} min: ${verdict(r.initialS < INITIAL_AIM_S)})`,
    );
  }
  if (inc) {
    console.log(
      `  ${verdict(inc.p99 < P99_GOAL_MS)} incremental change-to-target p99 under ${P99_GOAL_MS / 1000} s: ${fmtInt(inc.p99)} ms`,
    );
  }
}

function positive(name: string, raw: string, integer: boolean, zeroOk = false): number {
  const n = Number(raw);
  if (!(n > 0 || (zeroOk && n === 0)) || (integer && !Number.isInteger(n)))
    throw new Error(`--${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number, not "${raw}"`);
  return n;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string', default: '100000' },
      groups: { type: 'string', default: '1000' },
      memberships: { type: 'string', default: '20000' },
      engine: { type: 'string' },
      engines: { type: 'string' },
      concurrency: { type: 'string', default: '16' },
      changes: { type: 'string', default: '1000' },
      'change-rate': { type: 'string', default: '100' },
      'poll-ms': { type: 'string', default: '500' },
      timeout: { type: 'string', default: '900' },
      'change-timeout': { type: 'string', default: '120' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const engines = parseEngines(values.engine ?? values.engines ?? 'postgres');
  const options: Options = {
    users: positive('users', values.users, true),
    groups: positive('groups', values.groups, true, true),
    memberships: positive('memberships', values.memberships, true, true),
    concurrency: positive('concurrency', values.concurrency, true),
    changes: positive('changes', values.changes, true),
    changeRate: positive('change-rate', values['change-rate'], false),
    pollMs: positive('poll-ms', values['poll-ms'], true),
    timeoutS: positive('timeout', values.timeout, false),
    changeTimeoutS: positive('change-timeout', values['change-timeout'], false),
  };
  if (options.concurrency > 256) throw new Error('--concurrency must be at most 256');
  const data = makeData(options.users, options.groups, options.memberships);
  console.log(
    `outbound SCIM benchmark: ${fmtInt(options.users)} users, ${fmtInt(options.groups)} groups, ` +
      `${fmtInt(options.memberships)} memberships, ${options.concurrency} in flight, ${fmtInt(options.changes)} changes ` +
      `at ${options.changeRate}/s, PGlite ${pgliteVersion()}`,
  );
  console.log(machineLine());
  for (const engine of engines) await benchEngine(engine, data, options);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`\nload average at the end: ${load} (other work on the machine slows every figure)`);
}

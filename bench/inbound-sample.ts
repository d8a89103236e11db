// A poor man's database profiler for the inbound benchmark (PostgreSQL only): pg_stat_activity of the
// server's database sampled every few milliseconds from a connection of our own. Each sample of a
// non-idle backend counts for its statement (whitespace folded, cut short) or, between statements of an
// open transaction, for "idle in tx" after the statement it last ran (the server's JavaScript, or its
// wait for a CPU, while it holds the transaction).
// Shares are of the backend-samples seen, so they say where the connections spent their time. The CPU
// of the backends seen (from /proc) is that database's share of PostgreSQL, unlike a sum over every
// postgres process of the machine (other databases, other work). A backend that exited is lost.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { fmtPct, table } from './support.ts';

export interface Sampler {
  stop(): Promise<{ counts: Map<string, number>; backendCpuMs: number | undefined }>;
}

/** user + system CPU ms of a process, from /proc (Linux), or undefined. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const label = (state: string, wait: string | null, query: string) => {
  const text = query.replace(/\s+/g, ' ').trim().slice(0, 80);
  // Between two statements of an open transaction: the server's JavaScript (or a wait for a CPU) after `text`.
  if (state === 'idle in transaction') return `(idle in tx) after: ${text}`;
  return wait ? `${text} [wait ${wait}]` : text;
};

/** Starts sampling the backends connected to `database` every `intervalMs`. */
export async function sampleActivity(
  adminUrl: string,
  database: string,
  intervalMs: number,
): Promise<Sampler> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const counts = new Map<string, number>();
  // CPU at the start of each backend seen (0 for those born during the sampling).
  const startCpu = new Map<number, number>();
  const { rows: present } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  for (const { pid } of present) startCpu.set(pid, cpuMs(pid) ?? 0);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ pid: number; state: string; wait: string | null; query: string }>(
        `select pid, state, case when wait_event_type in ('Lock', 'LWLock', 'IO') then wait_event_type || ':' || wait_event end as wait,
                query
           from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')`,
        [database],
      );
      for (const r of rows) {
        if (!startCpu.has(r.pid)) startCpu.set(r.pid, 0);
        const key = label(r.state, r.wait, r.query);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      counts.set('', (counts.get('') ?? 0) + 1);
      await new Promise((done) => setTimeout(done, intervalMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop.catch(() => undefined);
      const { rows: last } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );
      await client.end();
      for (const { pid } of last) if (!startCpu.has(pid)) startCpu.set(pid, 0);
      let backendCpuMs: number | undefined = 0;
      for (const [pid, before] of startCpu) {
        const now = cpuMs(pid);
        if (now !== undefined) backendCpuMs += now - before;
      }
      if (startCpu.size === 0) backendCpuMs = undefined;
      return { counts, backendCpuMs };
    },
  };
}

/** Which part of the server a statement belongs to, from its text. */
function areaOf(key: string): string {
  const text = key.replace(/^\(idle in tx\) after: /, '');
  if (/^(begin|commit|rollback)/i.test(text)) return 'begin/commit (intake or drain)';
  if (/pgboss|INSERT INTO pgboss/i.test(text)) return 'intake (jobs.send) or pg-boss';
  if (/^insert into "inbound_runs"|^insert into inbound_records|^select \* from "inbound_runs"/i.test(text))
    return 'intake';
  if (/event_cursors|^update events e set position|from "events"|from events/i.test(text))
    return 'event dispatcher';
  return 'drain';
}

/** Time per area and state: how busy each part was (average backends in SQL, and idle in a transaction). */
export function areaTable(counts: Map<string, number>): string {
  const ticks = counts.get('') ?? 0;
  const areas = new Map<string, { sql: number; idle: number }>();
  for (const [key, n] of counts) {
    if (key === '') continue;
    const area = areaOf(key);
    const entry = areas.get(area) ?? { sql: 0, idle: 0 };
    if (key.startsWith('(idle in tx)')) entry.idle += n;
    else entry.sql += n;
    areas.set(area, entry);
  }
  if (ticks === 0) return '  (no samples)';
  const rows = [...areas.entries()]
    .sort((a, b) => b[1].sql + b[1].idle - (a[1].sql + a[1].idle))
    .map(([area, v]) => [area, (v.sql / ticks).toFixed(2), (v.idle / ticks).toFixed(2)]);
  return table(['area (by statement text)', 'in SQL', 'idle in tx after it'], rows)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** The busiest statements of a sampling, as a table: share of backend-samples and average backends busy. */
export function activityTable(counts: Map<string, number>, top: number): string {
  const ticks = counts.get('') ?? 0;
  const entries = [...counts.entries()].filter(([k]) => k !== '');
  const busy = entries.reduce((a, [, n]) => a + n, 0);
  if (ticks === 0 || busy === 0) return '  (no busy backend seen)';
  const rows = entries
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, n]) => [k, fmtPct(n / busy), (n / ticks).toFixed(2)]);
  return table(['statement (pg_stat_activity samples)', 'share', 'backends'], rows)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

// Machinery of the SCIM benchmark: the server child process, a keep-alive HTTP client, the fixed-
// concurrency load loop, percentiles, CPU accounting from /proc, and EXPLAIN summaries.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from '../src/db/index.ts';
import type { ServerStore } from './support.ts';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface ServerChild {
  url: URL;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// A benchmark that dies (or is interrupted) must not leave a server holding a port, a data-folder
// lock or database connections.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * `node bin/joinery.mjs start` on the scratch store, as users run it, in its own process so the server
 * and this load generator do not share an event loop (or a core). Port 0: the server picks a free
 * port and logs its URL; the JSON log (including the per-request access log) goes to a file. With
 * `profileDir`, V8 writes the server's CPU profile there when it exits.
 */
export async function startServer(
  store: ServerStore,
  settings: Record<string, string>,
  profileDir?: string,
): Promise<ServerChild> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('JOINERY_') && key !== 'DATABASE_URL') env[key] = value;
  }
  Object.assign(env, settings, {
    JOINERY_DATA_DIR: store.dataDir,
    JOINERY_HOST: '127.0.0.1',
    JOINERY_PORT: '0',
  });
  if (store.url) env.DATABASE_URL = store.url;
  const logPath = join(store.dataDir, 'server.log');
  const fd = openSync(logPath, 'a');
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, join(repoRoot, 'bin/joinery.mjs'), 'start'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => children.delete(child));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  };
  // Only this start's lines: the log file is appended to by every server started on the store.
  const from = readFileSync(logPath, 'utf8').length;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const listening = readFileSync(logPath, 'utf8')
      .slice(from)
      .split('\n')
      .map((line) => /"url":"(http:\/\/[^"]+)"/.exec(line)?.[1])
      .find((u) => u !== undefined);
    if (listening) return { url: new URL(listening), pid: child.pid ?? -1, logPath, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the server did not start; its log:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
}

export interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** Requests sent again because the server had just closed the idle keep-alive socket they went on. */
export const resent = { count: 0 };

class StaleSocket extends Error {}

function attempt(agent: http.Agent, base: URL, path: string, token: string): Promise<Reply> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const request = http.request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: 'GET',
        agent,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/scim+json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          done({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
          }),
        );
        response.on('error', fail);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      // Node closes a keep-alive socket idle for 5 s (server.keepAliveTimeout); a request written on
      // it at that moment is reset before the server read it. Safe to send again (a GET).
      fail(request.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocket(error.message) : error);
    });
    request.end();
  });
}

/** GET over a keep-alive agent; `ms` runs from the request to the last byte of the body. */
export async function get(agent: http.Agent, base: URL, path: string, token: string): Promise<Reply> {
  try {
    return await attempt(agent, base, path, token);
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error;
    resent.count += 1;
    return attempt(agent, base, path, token);
  }
}

// ---------------------------------------------------------------------------------------------------
// SCIM ListResponse bodies, read defensively: a malformed body is a failed request, not a crash.

export interface ScimUser {
  id: string;
  userName: string;
  externalId: string | undefined;
  displayName: string | undefined;
  emails: string[];
}

export interface ListResponse {
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  resources: ScimUser[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function parseList(body: string): ListResponse {
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('the body is not a JSON object');
  const o = parsed as Record<string, unknown>;
  const resources = Array.isArray(o.Resources) ? (o.Resources as unknown[]) : [];
  const num = (key: string) => {
    const v = o[key];
    if (typeof v !== 'number') throw new Error(`ListResponse.${key} is not a number: ${body.slice(0, 300)}`);
    return v;
  };
  return {
    totalResults: num('totalResults'),
    itemsPerPage: num('itemsPerPage'),
    startIndex: num('startIndex'),
    resources: resources.map((r) => {
      const u = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
      const emails = Array.isArray(u.emails) ? (u.emails as unknown[]) : [];
      return {
        id: str(u.id) ?? '',
        userName: str(u.userName) ?? '',
        externalId: str(u.externalId),
        displayName: str(u.displayName),
        emails: emails.map((e) => str((e as Record<string, unknown> | null)?.value) ?? ''),
      };
    }),
  };
}

/** One timed call of a worker; it returns the latency to record and throws when the answer is wrong. */
export type Operation = () => Promise<number>;

export interface RunStats {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  rps: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * Runs one operation per worker, all concurrently, back to back until the time is up: a warm-up
 * (not recorded) and then the measured period. The first wrong answer stops every worker and fails.
 */
export async function drive(
  workers: Operation[],
  warmupSeconds: number,
  measureSeconds: number,
  around: { before?: () => void; after?: () => void } = {},
): Promise<RunStats> {
  let failure: unknown;
  const period = async (secs: number, record: number[] | null) => {
    const t0 = performance.now();
    const deadline = t0 + secs * 1000;
    await Promise.allSettled(
      workers.map(async (operation) => {
        while (failure === undefined && performance.now() < deadline) {
          try {
            const ms = await operation();
            record?.push(ms);
          } catch (error) {
            failure ??= error;
          }
        }
      }),
    );
    if (failure !== undefined) throw failure;
    return (performance.now() - t0) / 1000;
  };
  if (warmupSeconds > 0) await period(warmupSeconds, null);
  const latencies: number[] = [];
  around.before?.();
  const seconds = await period(measureSeconds, latencies);
  around.after?.();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    rps: sorted.length / seconds,
  };
}

// ---------------------------------------------------------------------------------------------------
// CPU accounting: user + system time of processes, read from /proc (Linux; absent elsewhere).

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function postgresPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

export interface CpuSample {
  server: number | undefined;
  postgres: Map<number, number>;
  client: number;
}

/** CPU used so far by the server child, every local postgres process, and this process (ms). */
export function sampleCpu(serverPid: number, withPostgres: boolean): CpuSample {
  const server = cpuTicks(serverPid);
  const postgres = new Map<number, number>();
  if (withPostgres) {
    for (const pid of postgresPids()) {
      const ticks = cpuTicks(pid);
      if (ticks !== undefined) postgres.set(pid, ticks * TICK_MS);
    }
  }
  const usage = process.cpuUsage();
  return {
    server: server === undefined ? undefined : server * TICK_MS,
    postgres,
    client: (usage.user + usage.system) / 1000,
  };
}

export interface CpuUse {
  server: number | undefined;
  postgres: number | undefined;
  client: number;
}

/** CPU ms spent between two samples. Backends that exited in between are lost (an undercount). */
export function cpuBetween(before: CpuSample, after: CpuSample): CpuUse {
  let postgres: number | undefined;
  if (after.postgres.size > 0) {
    postgres = 0;
    for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres.get(pid) ?? 0);
  }
  return {
    server:
      before.server === undefined || after.server === undefined ? undefined : after.server - before.server,
    postgres,
    client: after.client - before.client,
  };
}

// ---------------------------------------------------------------------------------------------------
// EXPLAIN (ANALYZE, BUFFERS) reduced to one line: the plan nodes with their index, and the cost.

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Heap Fetches'?: number;
  Plans?: PlanNode[];
}

interface ExplainRoot {
  Plan: PlanNode;
  'Execution Time': number;
}

function describeNode(node: PlanNode): string {
  let text = node['Node Type'];
  if (node['Index Name']) text += ` using ${node['Index Name']}`;
  else if (node['Relation Name'] && /Scan/.test(text)) text += ` on ${node['Relation Name']}`;
  const notes: string[] = [];
  if (/Scan/.test(node['Node Type']) && node['Actual Rows'] !== undefined)
    notes.push(`rows ${node['Actual Rows']}`);
  if (node['Rows Removed by Filter']) notes.push(`removed by filter ${node['Rows Removed by Filter']}`);
  if (node['Heap Fetches']) notes.push(`heap fetches ${node['Heap Fetches']}`);
  return notes.length > 0 ? `${text} (${notes.join(', ')})` : text;
}

function flatten(node: PlanNode): string[] {
  return [describeNode(node), ...(node.Plans ?? []).flatMap(flatten)];
}

export async function explainLine(executor: SqlExecutor, text: string, values: unknown[]): Promise<string> {
  const { rows } = await executor.executeSql(`explain (analyze, buffers, format json) ${text}`, values);
  const raw = rows[0]?.['QUERY PLAN'];
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const root = (Array.isArray(parsed) ? parsed[0] : undefined) as ExplainRoot | undefined;
  if (!root?.Plan) return 'no plan';
  return `${flatten(root.Plan).join(' > ')}; ${root['Execution Time'].toFixed(2)} ms`;
}

// Machinery of the outbound benchmark: the memory SCIM target as a child process (test/peers), a
// keep-alive JSON client for any method, the raw ceiling (plain POSTs into a fresh target), and the
// reading of the target's control endpoints.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import http from 'node:http';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { TargetStats, TargetWrite } from '../test/peers/memory-scim-target.ts';
import { pool } from './inbound-drive.ts';
import { type BenchData, scimGroup, scimUser } from './outbound-data.ts';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface JsonReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Wall clock (Date.now()) just before the request was written. */
  sentAt: number;
  ms: number;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request over `agent`; a body is sent as JSON. No retries: a benchmark wants to see every failure. */
export function request(
  agent: http.Agent,
  url: URL,
  method: Method,
  token: string | null,
  body?: Buffer | object,
  timeoutMs = 120_000,
): Promise<JsonReply> {
  const payload =
    body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = { Accept: 'application/scim+json, application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (payload)
    Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
  return new Promise((done, fail) => {
    const sentAt = Date.now();
    const t0 = performance.now();
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(parts).toString('utf8'),
            sentAt,
            ms: performance.now() - t0,
          }),
        );
        res.on('error', fail);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${url.href}: no answer in ${timeoutMs / 1000} s`)),
    );
    req.on('error', (error) => fail(new Error(`${method} ${url.href}: ${error.message}`)));
    req.end(payload);
  });
}

export function parseJson<T>(reply: JsonReply, what: string): T {
  try {
    return JSON.parse(reply.text) as T;
  } catch {
    throw new Error(`${what}: HTTP ${reply.status}, the body is not JSON: ${reply.text.slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// The memory SCIM target, in its own process (as a SaaS app would be).

export interface TargetChild {
  /** SCIM base, incl. /scim/v2. */
  url: string;
  origin: string;
  pid: number;
  token: string;
  stats(): Promise<TargetStats>;
  writes(since: number): Promise<TargetWrite[]>;
  stop(): Promise<void>;
}

const targets = new Set<ChildProcessByStdio<null, Readable, Readable>>();
process.once('exit', () => {
  for (const child of targets) child.kill('SIGKILL');
});

export async function startTarget(token: string): Promise<TargetChild> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/run-ts.mjs'),
      'test/peers/memory-scim-target-main.ts',
      '--port',
      '0',
      '--token',
      token,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  targets.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => targets.delete(child));
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString('utf8')).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the SCIM target did not start in 60 s: ${out}${err}`)),
      60_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = /^listening (\S+)$/m.exec(out)?.[1];
      if (line) {
        clearTimeout(timer);
        done(line);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`the SCIM target exited before listening: ${out}${err}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const origin = new URL(url).origin;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const control = async <T>(path: string): Promise<T> => {
    const reply = await request(agent, new URL(`/_control/${path}`, origin), 'GET', null);
    if (reply.status !== 200)
      throw new Error(`target /_control/${path}: HTTP ${reply.status}: ${reply.text}`);
    return parseJson<T>(reply, `target /_control/${path}`);
  };
  return {
    url,
    origin,
    pid: child.pid ?? -1,
    token,
    stats: () => control<TargetStats>('stats'),
    writes: (since: number) => control<TargetWrite[]>(`writes?since=${since}`),
    stop: async () => {
      agent.destroy();
      await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The raw ceiling: the same objects POSTed straight into a fresh target, users then groups with members.

export interface CeilingResult {
  usersS: number;
  groupsS: number;
  s: number;
  objects: number;
  p50: number;
  p99: number;
}

export async function ceiling(
  target: TargetChild,
  data: BenchData,
  concurrency: number,
): Promise<CeilingResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const users = new URL(`${target.url}/Users`);
  const groups = new URL(`${target.url}/Groups`);
  const bodies = data.users.map(scimUser);
  const latencies: number[] = [];
  try {
    const t0 = performance.now();
    const ids = await pool(bodies.length, concurrency, async (i) => {
      const reply = await request(agent, users, 'POST', target.token, bodies[i]);
      if (reply.status !== 201)
        throw new Error(`ceiling POST /Users ${i}: HTTP ${reply.status}: ${reply.text}`);
      latencies.push(reply.ms);
      return parseJson<{ id: string }>(reply, 'ceiling POST /Users').id;
    });
    const t1 = performance.now();
    await pool(data.groups.length, concurrency, async (g) => {
      const reply = await request(
        agent,
        groups,
        'POST',
        target.token,
        scimGroup(data.groups[g] as BenchData['groups'][number], ids),
      );
      if (reply.status !== 201)
        throw new Error(`ceiling POST /Groups ${g}: HTTP ${reply.status}: ${reply.text}`);
      latencies.push(reply.ms);
    });
    const t2 = performance.now();
    const sorted = Float64Array.from(latencies).sort();
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
    return {
      usersS: (t1 - t0) / 1000,
      groupsS: (t2 - t1) / 1000,
      s: (t2 - t0) / 1000,
      objects: data.users.length + data.groups.length,
      p50: at(0.5),
      p99: at(0.99),
    };
  } finally {
    agent.destroy();
  }
}

/** Throws unless the target holds exactly the benchmark's users, groups and memberships. */
export async function expectTargetHolds(
  target: TargetChild,
  data: BenchData,
  what: string,
): Promise<TargetStats> {
  const stats = await target.stats();
  const wrong: string[] = [];
  if (stats.users !== data.users.length) wrong.push(`${stats.users} users, expected ${data.users.length}`);
  if (stats.activeUsers !== data.users.length)
    wrong.push(`${stats.activeUsers} active users, expected ${data.users.length}`);
  if (stats.groups !== data.groups.length)
    wrong.push(`${stats.groups} groups, expected ${data.groups.length}`);
  if (stats.memberships !== data.memberships)
    wrong.push(`${stats.memberships} memberships, expected ${data.memberships}`);
  if (wrong.length > 0) throw new Error(`${what}: the target holds ${wrong.join('; ')}`);
  return stats;
}

// Machinery of the inbound benchmark (the server child is scim-drive's `startServer`): a keep-alive HTTP
// client, the upload loop at a fixed concurrency, the cheap completion poll, and the per-record
// results read back from the run status endpoint once a phase is over.
import http from 'node:http';
import type { ServerChild } from './scim-drive.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
  /** Wall clock (Date.now()) just before the request was written: the server's clock, same machine. */
  sentAt: number;
}

class StaleSocket extends Error {}

function attempt(
  agent: http.Agent,
  base: URL,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body?: Buffer,
): Promise<Reply> {
  return new Promise((done, fail) => {
    const headers: Record<string, string | number> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/scim+json, application/json',
    };
    if (body)
      Object.assign(headers, { 'Content-Type': 'application/scim+json', 'Content-Length': body.length });
    const sentAt = Date.now();
    const t0 = performance.now();
    const request = http.request(
      { host: base.hostname, port: base.port, path, method, agent, headers, timeout: 300_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          done({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
            sentAt,
          }),
        );
        response.on('error', fail);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer in 300 s`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      fail(request.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocket(error.message) : error);
    });
    request.end(body);
  });
}

/** One request. A GET that met a keep-alive socket the server had just closed is sent once more. */
export async function call(
  agent: http.Agent,
  base: URL,
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body?: Buffer,
): Promise<Reply> {
  try {
    return await attempt(agent, base, method, path, token, body);
  } catch (error) {
    if (!(error instanceof StaleSocket) || method !== 'GET') throw error;
    return attempt(agent, base, method, path, token, body);
  }
}

export async function getJson<T>(agent: http.Agent, base: URL, path: string, token: string): Promise<T> {
  const reply = await call(agent, base, 'GET', path, token);
  if (reply.status !== 200) throw new Error(`GET ${path}: HTTP ${reply.status}: ${reply.body.slice(0, 300)}`);
  return JSON.parse(reply.body) as T;
}

export interface Upload {
  /** Index of the body (request) in feed order. */
  index: number;
  runId: string;
  sentAt: number;
  ms: number;
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight; the first failure stops the rest. */
export async function pool<T>(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (failure === undefined && next < count) {
        const i = next++;
        try {
          out[i] = await work(i);
        } catch (error) {
          failure ??= error;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
  return out;
}

/** Sends every body as a bulkUpload at `concurrency` in flight; each must be answered 202 with a Location. */
export async function uploadAll(
  server: ServerChild,
  token: string,
  bodies: readonly Buffer[],
  concurrency: number,
  path: string,
): Promise<Upload[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    return await pool(bodies.length, concurrency, async (index) => {
      const reply = await call(agent, server.url, 'POST', path, token, bodies[index]);
      const location = reply.headers.location;
      const runId =
        typeof location === 'string' ? /\/inbound\/runs\/([0-9a-f-]{36})$/.exec(location)?.[1] : undefined;
      if (reply.status !== 202 || !runId) {
        throw new Error(
          `bulkUpload ${index}: HTTP ${reply.status}, Location ${String(location)}: ${reply.body.slice(0, 400)}`,
        );
      }
      return { index, runId, sentAt: reply.sentAt, ms: reply.ms };
    });
  } finally {
    agent.destroy();
  }
}

interface RunList {
  items: { id: string; status: string; error: string | null; hold: unknown }[];
}

export interface Poller {
  /** Resolves once no run of the source is accepted or processing, after `uploadsDone` resolved. */
  done: Promise<{ polls: number }>;
  stop(): void;
}

/**
 * Watches the source's open runs cheaply: `GET /api/v1/inbound/runs?status=accepted&limit=1`, then
 * `status=processing` (in that order, so a run moving between the two is still seen), one pair every
 * `intervalMs`, plus held and failed runs, which fail the phase at once. Bounded by `timeoutMs`.
 */
export function pollOpenRuns(
  server: ServerChild,
  token: string,
  sourceId: string,
  uploadsDone: Promise<unknown>,
  intervalMs: number,
  timeoutMs: number,
): Poller {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stopped = false;
  let sent = false;
  void uploadsDone.then(
    () => {
      sent = true;
    },
    () => {
      stopped = true;
    },
  );
  const first = async (status: string) =>
    (
      await getJson<RunList>(
        agent,
        server.url,
        `/api/v1/inbound/runs?sourceId=${sourceId}&status=${status}&limit=1`,
        token,
      )
    ).items[0];
  const done = (async () => {
    const deadline = Date.now() + timeoutMs;
    let polls = 0;
    try {
      while (!stopped) {
        await new Promise((r) => setTimeout(r, intervalMs));
        if (stopped) break;
        const uploaded = sent;
        polls++;
        const accepted = await first('accepted');
        const processing = accepted ? undefined : await first('processing');
        for (const bad of ['held', 'failed']) {
          const run = await first(bad);
          if (run) throw new Error(`run ${run.id} is ${bad}: ${run.error ?? JSON.stringify(run.hold)}`);
        }
        if (uploaded && !accepted && !processing) return { polls };
        if (Date.now() > deadline) {
          const open = accepted ?? processing;
          throw new Error(`runs still open after ${timeoutMs / 1000} s (e.g. ${open?.id} ${open?.status})`);
        }
      }
      return { polls };
    } finally {
      agent.destroy();
    }
  })();
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}

export interface RunDetail {
  id: string;
  status: string;
  total: number;
  receivedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  counts: Record<string, number>;
  operations: {
    index: number;
    bulkId: string | null;
    status: string;
    processedAt: string | null;
    error: { code: string; message: string } | null;
  }[];
}

/** Every run's status with its operations, read after the phase (not timed). */
export async function readRuns(
  server: ServerChild,
  token: string,
  runIds: readonly string[],
  concurrency: number,
): Promise<RunDetail[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    return await pool(runIds.length, concurrency, (i) =>
      getJson<RunDetail>(agent, server.url, `/api/v1/inbound/runs/${runIds[i]}?limit=10000`, token),
    );
  } finally {
    agent.destroy();
  }
}

/** Prometheus text to a map of series (name plus labels) to value. */
export async function scrapeMetrics(server: ServerChild): Promise<Map<string, number>> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    const reply = await call(agent, server.url, 'GET', '/metrics', '');
    const out = new Map<string, number>();
    for (const line of reply.body.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return out;
  } finally {
    agent.destroy();
  }
}

/** The sum of the series whose key starts with `prefix` and contains every one of `parts`. */
export function metricSum(m: Map<string, number>, prefix: string, ...parts: string[]): number {
  let sum = 0;
  for (const [key, value] of m)
    if (key.startsWith(prefix) && parts.every((p) => key.includes(p))) sum += value;
  return sum;
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

// The Joinery side of the outbound benchmark, through the admin API contract of B2
// (/api/v1/outbound/apps...) and the SCIM server: create the app, start the initial cycle, poll its
// status to the end, then send directory changes at a steady rate and time each one to the target.
import http from 'node:http';
import { percentile } from './inbound-drive.ts';
import { type JsonReply, parseJson, request, type TargetChild } from './outbound-drive.ts';
import type { ServerChild } from './scim-drive.ts';
import { fmtInt } from './support.ts';

const APPS = '/api/v1/outbound/apps';

export interface AppStatus {
  state: 'idle' | 'running' | 'quarantined' | 'paused';
  pending: number;
  escrowed: number;
  linked: { users: number; groups: number };
  lastCycle: {
    id: string;
    kind: string;
    status: 'running' | 'done' | 'failed';
    startedAt: string | null;
    finishedAt: string | null;
    counts: Record<string, number>;
  } | null;
}

/** The server has no outbound API (404): the engine is not there yet. */
export class OutboundApiMissing extends Error {}

/** A clear error for an API that is not there (the engine is being written) or answers otherwise. */
function unexpected(what: string, reply: JsonReply, wanted: number): Error {
  if (reply.status === 404 && /^(POST|GET) \/api\/v1\/outbound\/apps/.test(what)) {
    return new OutboundApiMissing(
      `${what} answered 404: this Joinery server has no outbound provisioning API yet (B2). ` +
        `The ceiling above was measured; the Joinery figures need the engine. Body: ${reply.text.slice(0, 200)}`,
    );
  }
  return new Error(`${what}: HTTP ${reply.status}, expected ${wanted}: ${reply.text.slice(0, 600)}`);
}

export interface Cycle {
  appId: string;
  cycleId: string;
  /** Wall clock just before the start request was sent. */
  startSentAt: number;
}

export async function createAndStart(
  server: ServerChild,
  adminToken: string,
  target: TargetChild,
  concurrency: number,
): Promise<Cycle> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const created = await request(agent, new URL(APPS, server.url), 'POST', adminToken, {
      name: 'bench',
      connector: {
        type: 'scim',
        config: { baseUrl: target.url, auth: { type: 'bearer', token: target.token } },
      },
      scope: 'all',
      provisionGroups: true,
      deprovisionAction: 'disable',
      rateLimit: { requestsPerSecond: 0, concurrency },
      enabled: true,
    });
    if (created.status !== 201) throw unexpected(`POST ${APPS}`, created, 201);
    const appId = parseJson<{ id?: unknown }>(created, `POST ${APPS}`).id;
    if (typeof appId !== 'string') throw new Error(`POST ${APPS}: no id in ${created.text.slice(0, 300)}`);
    const path = `${APPS}/${encodeURIComponent(appId)}/start`;
    const started = await request(agent, new URL(path, server.url), 'POST', adminToken, {});
    if (started.status !== 202) throw unexpected(`POST ${path}`, started, 202);
    const cycle = parseJson<{ cycle?: { id?: unknown; kind?: unknown } }>(started, `POST ${path}`).cycle;
    if (typeof cycle?.id !== 'string' || cycle.kind !== 'initial')
      throw new Error(
        `POST ${path}: expected {"cycle":{"id":…,"kind":"initial"}}, got ${started.text.slice(0, 300)}`,
      );
    return { appId, cycleId: cycle.id, startSentAt: started.sentAt };
  } finally {
    agent.destroy();
  }
}

export async function readStatus(agent: http.Agent, server: ServerChild, token: string, appId: string) {
  const path = `${APPS}/${encodeURIComponent(appId)}/status`;
  const reply = await request(agent, new URL(path, server.url), 'GET', token);
  if (reply.status !== 200) throw unexpected(`GET ${path}`, reply, 200);
  return parseJson<AppStatus>(reply, `GET ${path}`);
}

const brief = (s: AppStatus) =>
  `state ${s.state}, pending ${s.pending}, escrowed ${s.escrowed}, linked ${s.linked?.users}/${s.linked?.groups}, ` +
  `last cycle ${s.lastCycle ? `${s.lastCycle.id} ${s.lastCycle.kind} ${s.lastCycle.status} ${JSON.stringify(s.lastCycle.counts)}` : 'none'}`;

/**
 * Polls the app's status until `cycle` is done with nothing pending; fails at once on a failed cycle or a
 * quarantined app, and after `timeoutMs` with the last status seen. Progress every 15 s.
 */
export async function waitForCycle(
  server: ServerChild,
  token: string,
  target: TargetChild,
  cycle: Cycle,
  pollMs: number,
  timeoutMs: number,
): Promise<{ status: AppStatus; doneAt: number; polls: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const deadline = Date.now() + timeoutMs;
  let last: AppStatus | undefined;
  let polls = 0;
  let nextReport = Date.now() + 15_000;
  try {
    while (Date.now() < deadline) {
      const status = await readStatus(agent, server, token, cycle.appId);
      polls++;
      last = status;
      const lc = status.lastCycle;
      if (status.state === 'quarantined') throw new Error(`the app was quarantined: ${brief(status)}`);
      if (lc?.id === cycle.cycleId && lc.status === 'failed')
        throw new Error(`the cycle failed: ${brief(status)}`);
      if (lc?.id === cycle.cycleId && lc.status === 'done' && status.pending === 0) {
        const finished = lc.finishedAt ? Date.parse(lc.finishedAt) : Number.NaN;
        return { status, doneAt: Number.isNaN(finished) ? Date.now() : finished, polls };
      }
      if (Date.now() >= nextReport) {
        nextReport += 15_000;
        const t = await target.stats();
        console.log(
          `  +${((Date.now() - cycle.startSentAt) / 1000).toFixed(0)} s: ${brief(status)}; target holds ` +
            `${fmtInt(t.users)} users, ${fmtInt(t.groups)} groups, ${fmtInt(t.memberships)} memberships`,
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    agent.destroy();
  }
  throw new Error(
    `the initial cycle did not finish in ${timeoutMs / 1000} s (--timeout); last status: ${last ? brief(last) : 'none'}`,
  );
}

export interface IncrementalResult {
  changes: number;
  /** Seconds from the first change sent to the last sent. */
  sendS: number;
  /** How late the sends were against the schedule (ms), the worst. */
  lateMax: number;
  patchP50: number;
  patchP99: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * `changes.length` PATCHes (replace title) through Joinery's SCIM server at `rate` per second, each
 * send time recorded; then the target's write log until every changed user was written after its send.
 */
export async function incremental(
  server: ServerChild,
  scimToken: string,
  target: TargetChild,
  changes: readonly { id: string; userName: string; title: string }[],
  rate: number,
  timeoutMs: number,
): Promise<IncrementalResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sentAt = new Map<string, number>();
  const patchMs: number[] = [];
  let lateMax = 0;
  const since = Date.now() - 1;
  try {
    const t0 = performance.now();
    const inFlight: Promise<void>[] = [];
    let failure: unknown;
    for (const [i, change] of changes.entries()) {
      if (failure !== undefined) break;
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      lateMax = Math.max(lateMax, performance.now() - due);
      const path = `/scim/v2/Users/${encodeURIComponent(change.id)}`;
      inFlight.push(
        request(agent, new URL(path, server.url), 'PATCH', scimToken, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: change.title }],
        })
          .then((reply) => {
            if (reply.status !== 200)
              throw new Error(`PATCH ${path}: HTTP ${reply.status}: ${reply.text.slice(0, 300)}`);
            sentAt.set(change.userName.toLowerCase(), reply.sentAt);
            patchMs.push(reply.ms);
          })
          .catch((error: unknown) => {
            failure ??= error;
          }),
      );
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    const sendS = (performance.now() - t0) / 1000;

    const latency = new Map<string, number>();
    const deadline = Date.now() + timeoutMs;
    let reads = 0;
    while (latency.size < changes.length && Date.now() < deadline) {
      for (const w of await target.writes(since)) {
        if (w.kind !== 'User' || w.method === 'DELETE' || !w.userName) continue;
        const key = w.userName.toLowerCase();
        const sent = sentAt.get(key);
        if (sent !== undefined && w.at >= sent && !latency.has(key)) latency.set(key, w.at - sent);
      }
      reads++;
      if (latency.size < changes.length) await new Promise((r) => setTimeout(r, 250));
    }
    if (latency.size < changes.length) {
      const missing = changes.filter((c) => !latency.has(c.userName.toLowerCase())).map((c) => c.userName);
      throw new Error(
        `${missing.length} of ${changes.length} changes did not reach the target in ${timeoutMs / 1000} s ` +
          `(--change-timeout; ${reads} reads of its write log), e.g. ${missing.slice(0, 5).join(', ')}`,
      );
    }
    const values = [...latency.values()];
    return {
      changes: changes.length,
      sendS,
      lateMax,
      patchP50: percentile(patchMs, 0.5),
      patchP99: percentile(patchMs, 0.99),
      p50: percentile(values, 0.5),
      p99: percentile(values, 0.99),
      max: percentile(values, 1),
    };
  } finally {
    agent.destroy();
  }
}

/** Reads back a sample of the changed users from the target: their title must be the new one. */
export async function checkTitles(
  target: TargetChild,
  changes: readonly { userName: string; title: string }[],
  sample: number,
): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const step = Math.max(1, Math.floor(changes.length / sample));
    for (let i = 0; i < changes.length; i += step) {
      const c = changes[i] as { userName: string; title: string };
      const filter = encodeURIComponent(`userName eq ${JSON.stringify(c.userName)}`);
      const reply = await request(
        agent,
        new URL(`${target.url}/Users?filter=${filter}`),
        'GET',
        target.token,
      );
      const list = parseJson<{ Resources?: { title?: unknown }[] }>(reply, 'target GET /Users');
      const title = list.Resources?.[0]?.title;
      if (title !== c.title)
        throw new Error(`target user ${c.userName}: title ${String(title)}, expected ${c.title}`);
    }
  } finally {
    agent.destroy();
  }
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAllUsers } from './http.ts';
import {
  auditByAction,
  bulkRequest,
  bulkUpload,
  type DirectoryUser,
  directoryUser,
  getRun,
  type HrRecord,
  listRuns,
  type RunSummary,
  usersByEmployeeId,
} from './inbound-client.ts';
import { type Exit, killAll, type RunningServer, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

const SOURCE = 'hr';
const SENDERS = 4;
const REQUESTS_PER_SENDER = 10;
const OPERATIONS = 50;
/**
 * Small batches: seven or eight transactions per run of 50, so the kill lands inside a run. 7 is coprime
 * with 50: a batch boundary seldom coincides with a run boundary.
 */
const BATCH_SIZE = 7;
/** SIGKILL as soon as this many requests have their 202 (of SENDERS × REQUESTS_PER_SENDER). */
const KILL_AFTER_ACCEPTED = 20;
/** After the KILL_AFTER_ACCEPTED-th 202: SIGKILL once the server is seen processing, or after this at the latest. */
const KILL_DELAY_MS = 5000;
/** A run-list probe unanswered this long: the server is busy draining (embedded store). */
const BUSY_MS = 300;
const SETTLE_TIMEOUT_MS = 120_000;

/**
 * One sender's requests, sent one after the other: request k goes out only once request k-1 has its
 * 202, so the arrival order of a person's records is that order. A person appears in one sender's
 * requests only (senders never race on a person). Request k carries updates of 5 people seen in
 * every request so far (9 updates by the end), updates of 5 people new in request k-1, new people,
 * and a second record for its first new person (two records of one person in one request).
 */
interface PlannedRequest {
  sender: number;
  step: number;
  records: HrRecord[];
}

function buildPlan(): PlannedRequest[][] {
  return Array.from({ length: SENDERS }, (_, sender) => {
    const chain: PlannedRequest[] = [];
    let nextPerson = 0;
    const record = (person: number, step: number, op: number): HrRecord => ({
      externalId: `E${sender}-${person}`,
      userName: `p${sender}-${person}@example.com`,
      givenName: `Given${sender}x${person}`,
      familyName: `Family${sender}x${person}`,
      displayName: `Person ${sender}-${person} v${step}.${op}`,
      title: `T${sender}.${step}.${op}`,
    });
    const personOf = (r: HrRecord) => Number(r.externalId.split('-')[1]);
    let previousNew: number[] = [];
    for (let step = 0; step < REQUESTS_PER_SENDER; step++) {
      const people: number[] = [];
      const previous = chain[step - 1];
      if (previous) {
        const chained = previous.records.slice(0, 5).map(personOf);
        const fresh = previousNew.filter((p) => !chained.includes(p)).slice(0, 5);
        people.push(...chained, ...fresh);
      }
      const newPeople: number[] = [];
      while (people.length < OPERATIONS - 1) {
        newPeople.push(nextPerson);
        people.push(nextPerson++);
      }
      people.push(newPeople[0] as number);
      chain.push({ sender, step, records: people.map((p, op) => record(p, step, op)) });
      previousNew = newPeople;
    }
    return chain;
  });
}

interface Accepted {
  request: PlannedRequest;
  runId: string;
}

interface UploadOutcome {
  accepted: Accepted[];
  /** Sent before the kill, no 202 seen: may or may not have been stored. At most one per sender. */
  inDoubt: PlannedRequest[];
  /** Anything but a 202 before the kill, or a broken Location: a bug. */
  unexpected: string[];
  /** What set the kill off: the server seen busy, or the delay ran out, and when. */
  trigger: string;
  /** When SIGKILL was sent, and when the process was seen gone. */
  killedAt: number;
  exitedAt: number;
  exit: Exit;
}

/**
 * SENDERS concurrent loops upload their chains as fast as the server answers and record every 202.
 * Once KILL_AFTER_ACCEPTED are accepted, SIGKILL follows as soon as the server is seen processing (see
 * whenProcessing), while the loops' next requests are in flight. Whether the kill landed mid-processing is
 * judged after the restart, from the runs' startedAt and completedAt: a status probe before the kill
 * proves little, as a server busy draining may answer it only once the drain is over.
 */
async function uploadUntilKilled(
  server: RunningServer,
  token: string,
  plan: PlannedRequest[][],
): Promise<UploadOutcome> {
  const accepted: Accepted[] = [];
  const inDoubt: PlannedRequest[] = [];
  const unexpected: string[] = [];
  let killing: Promise<Exit> | undefined;
  let killedAt = 0;
  let armed: Promise<void> | undefined;
  let trigger = `fewer than ${KILL_AFTER_ACCEPTED} requests accepted`;
  const kill = (): Promise<Exit> => {
    if (!killing) {
      killedAt = Date.now();
      killing = server.process.kill();
    }
    return killing;
  };

  const sender = async (chain: PlannedRequest[]) => {
    for (const request of chain) {
      if (killing) return;
      const what = `sender ${request.sender} request ${request.step}`;
      try {
        const res = await bulkUpload(server.url, token, SOURCE, bulkRequest(request.records));
        const id = (res.body as { id?: unknown } | null)?.id;
        if (res.status === 202 && typeof id === 'string' && res.location === `/api/v1/inbound/runs/${id}`) {
          accepted.push({ request, runId: id });
          if (accepted.length >= KILL_AFTER_ACCEPTED && !armed) {
            const armedAt = Date.now();
            armed = whenProcessing(server.url, token).then(async (why) => {
              trigger = `${why}, ${Date.now() - armedAt} ms after the ${KILL_AFTER_ACCEPTED}th 202`;
              await kill();
            });
          }
          continue;
        }
        if (killing) inDoubt.push(request);
        else unexpected.push(`${what}: ${res.status} Location=${res.location} ${JSON.stringify(res.body)}`);
      } catch (error) {
        if (killing) inDoubt.push(request);
        else unexpected.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return;
    }
  };

  await Promise.all(plan.map((chain) => sender(chain)));
  // Should a bug stop the 202s early, the loops still end; kill anyway so the restart can be checked.
  await armed;
  const exit = await kill();
  return { accepted, inDoubt, unexpected, trigger, killedAt, exitedAt: Date.now(), exit };
}

/**
 * Resolves once the server is seen processing records, or after KILL_DELAY_MS at the latest. Probes
 * list the runs: one listed as processing is a run half applied right now (on PostgreSQL the drain
 * answers such probes while it works). A probe unanswered after BUSY_MS means the same on the embedded
 * store: PGlite queries settle without yielding to the event loop, so while the background job drains
 * back-to-back batches the process reads no request at all (measured: /healthz unanswered for the whole
 * drain of 2000 records, ~4 s at batch size 20).
 */
async function whenProcessing(url: string, token: string): Promise<string> {
  const deadline = Date.now() + KILL_DELAY_MS;
  while (Date.now() < deadline) {
    const slow = new Promise<'slow'>((r) => setTimeout(() => r('slow'), BUSY_MS));
    const probe = listRuns(url, token, SOURCE, 100).then(
      (runs) => (runs.some((r) => r.status === 'processing') ? ('processing' as const) : ('idle' as const)),
      () => 'idle' as const,
    );
    const seen = await Promise.race([slow, probe]);
    if (seen === 'slow') return `no answer within ${BUSY_MS} ms`;
    if (seen === 'processing') return 'a run listed as processing';
    await new Promise((r) => setTimeout(r, 20));
  }
  return `nothing seen within ${KILL_DELAY_MS} ms`;
}

/** Waits (bounded) until no run of the source is accepted, processing or held. */
async function settle(server: RunningServer, token: string, acceptedIds: string[]): Promise<RunSummary[]> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let runs: RunSummary[] = [];
  let last = '';
  for (;;) {
    try {
      runs = await listRuns(server.url, token, SOURCE);
      const listed = new Set(runs.map((r) => r.id));
      const open = runs.filter((r) => r.status !== 'completed');
      const missing = acceptedIds.filter((id) => !listed.has(id));
      if (open.length === 0 && missing.length === 0) return runs;
      last = `open runs: ${JSON.stringify(open.map((r) => ({ id: r.id, status: r.status, total: r.total, counts: r.counts })))}; accepted but not listed: ${missing.join(', ')}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline || server.process.exit) {
      throw new Error(
        `runs not completed ${SETTLE_TIMEOUT_MS} ms after the restart: ${last}\n${server.process.describe()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('inbound crash recovery: kill -9 while HR records are processed', { timeout: 300_000 }, () => {
  let store: E2eStore;

  beforeAll(async () => {
    store = await createStore();
  });

  afterEach(async () => {
    await killAll();
  });

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('applies every accepted record exactly once, in arrival order, after a restart', async () => {
    const env = store.env({ JOINERY_INBOUND_BATCH_SIZE: String(BATCH_SIZE) });
    const plan = buildPlan();
    let server = await startServer(env);
    const token = await store.adminToken();

    // 1. Upload as fast as possible; kill -9 while records are being processed.
    const started = Date.now();
    const upload = await uploadUntilKilled(server, token, plan);
    const uploadMs = Date.now() - started;
    expect(upload.unexpected, 'answers before the kill').toEqual([]);
    expect(upload.exit.signal).toBe('SIGKILL');
    expect(upload.accepted.length, 'requests accepted before the kill').toBeGreaterThanOrEqual(
      KILL_AFTER_ACCEPTED,
    );
    const acceptedIds = upload.accepted.map((a) => a.runId);
    expect(new Set(acceptedIds).size, 'one run per accepted request').toBe(acceptedIds.length);

    // 2. Restart on the same store; no upload from here on. Every accepted run must complete.
    const restarted = Date.now();
    server = await startServer(env);
    const resumedLine = await server.process.waitFor(
      () => server.process.logLines().find((l) => l.msg === 'resuming inbound records left pending'),
      'the "resuming inbound records left pending" log line',
      30_000,
    );
    expect(resumedLine.sources).toBe(1);
    const runs = await settle(server, token, acceptedIds);
    const settleMs = Date.now() - restarted;
    const runById = new Map(runs.map((r) => [r.id, r]));

    // 3a. What each person must look like: the last accepted record (arrival order); a person whose
    // last record sits in a request in doubt may instead look like that record.
    const expected = new Map<
      string,
      { last: HrRecord; alternative?: HrRecord; updates: number; maybeUpdates: number }
    >();
    const expectedStatus = new Map<string, string[]>();
    const acceptedOf = new Map(upload.accepted.map((a) => [a.request, a.runId]));
    const maybePeople = new Set<string>();
    for (const chain of plan) {
      for (const request of chain) {
        const runId = acceptedOf.get(request);
        if (runId) {
          const statuses: string[] = [];
          for (const r of request.records) {
            const known = expected.get(r.externalId);
            statuses.push(known ? 'updated' : 'created');
            if (known) {
              known.last = r;
              known.updates += 1;
            } else expected.set(r.externalId, { last: r, updates: 0, maybeUpdates: 0 });
          }
          expectedStatus.set(runId, statuses);
        } else if (upload.inDoubt.includes(request)) {
          for (const r of request.records) {
            const known = expected.get(r.externalId);
            if (known) {
              known.alternative = r;
              known.maybeUpdates += 1;
            } else maybePeople.add(r.externalId);
          }
        }
        if (!runId) break; // the sender stopped here
      }
    }

    // 3b. Every accepted run: completed, counts summing to its total, each operation applied once.
    const userIdOf = new Map<string, string>();
    for (const { request, runId } of upload.accepted) {
      const run = await getRun(server.url, token, runId);
      expect(run.status, `run ${runId}`).toBe('completed');
      expect(run.total).toBe(OPERATIONS);
      expect(sum(run.counts), `run ${runId} counts ${JSON.stringify(run.counts)}`).toBe(run.total);
      expect(
        run.operations.map((o) => o.status),
        `run ${runId} (sender ${request.sender} request ${request.step})`,
      ).toEqual(expectedStatus.get(runId));
      for (const [i, op] of run.operations.entries()) {
        expect(op.index).toBe(i);
        const person = (request.records[i] as HrRecord).externalId;
        expect(op.userId, `${person} in run ${runId}`).toEqual(expect.any(String));
        const known = userIdOf.get(person);
        if (known) expect(op.userId, `${person}: every record of a person hits one user`).toBe(known);
        else userIdOf.set(person, op.userId as string);
      }
    }
    // Runs of requests in doubt that were stored after all complete too (checked by settle); no other run exists.
    for (const r of runs)
      expect(sum(r.counts), `run ${r.id} counts ${JSON.stringify(r.counts)}`).toBe(r.total);
    const extra = runs.filter((r) => !acceptedIds.includes(r.id));
    expect(extra.length, 'runs stored from requests in doubt').toBeLessThanOrEqual(upload.inDoubt.length);

    // Where the kill landed, from the timestamps the runs carry: a run with a batch committed before the
    // kill and its last one after the restart was half done; a run whose first batch committed after
    // the old process was gone had not started, and was resumed without any new upload.
    const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
    const timeline = upload.accepted.map(({ runId }) => {
      const r = runById.get(runId) as RunSummary;
      return { id: runId, startedAt: at(r.startedAt), completedAt: at(r.completedAt) };
    });
    for (const t of timeline) {
      const stamped = Number.isFinite(t.startedAt) && Number.isFinite(t.completedAt);
      expect(stamped, `run ${t.id} timestamps`).toBe(true);
    }
    const { killedAt, exitedAt } = upload;
    const doneBefore = timeline.filter((t) => t.completedAt < killedAt);
    const halfDone = timeline.filter((t) => t.startedAt < killedAt && t.completedAt >= exitedAt);
    const notStarted = timeline.filter((t) => t.startedAt >= exitedAt);
    const landed =
      `${doneBefore.length} runs done before the kill, ${halfDone.length} half done, ` +
      `${notStarted.length} not started`;
    const when =
      `${landed}; kill: ${upload.trigger}; each run's [startedAt, completedAt] - killedAt in ms, exit seen at +${exitedAt - killedAt}: ` +
      JSON.stringify(timeline.map((t) => [t.startedAt - killedAt, t.completedAt - killedAt]));
    expect(halfDone.length, `the kill lands mid-processing: ${when}`).toBeGreaterThan(0);
    expect(
      notStarted.length,
      `a run accepted before the kill, processed after the restart: ${when}`,
    ).toBeGreaterThan(0);

    // 3c. The directory: one user per person, with the attributes of their last accepted record.
    const users = (await listAllUsers(server.url, token)).map((u) => directoryUser.parse(u));
    const byEmployeeId = new Map<string, DirectoryUser[]>();
    for (const u of users) {
      const key = u.employeeId ?? `(none: ${u.userName})`;
      byEmployeeId.set(key, [...(byEmployeeId.get(key) ?? []), u]);
    }
    const duplicated = [...byEmployeeId]
      .filter(([, list]) => list.length > 1)
      .map(([k, list]) => `${k} ×${list.length}`);
    expect(duplicated, 'people created more than once').toEqual([]);
    const strangers = [...byEmployeeId.keys()].filter((k) => !expected.has(k) && !maybePeople.has(k));
    expect(strangers, 'users no accepted or in-doubt record asked for').toEqual([]);
    const wrong: string[] = [];
    const lost: string[] = [];
    const attributes = (r: HrRecord) => ({
      employeeId: r.externalId,
      userName: r.userName,
      givenName: r.givenName,
      familyName: r.familyName,
      displayName: r.displayName,
      title: r.title,
      accountEnabled: true,
    });
    const actual = (u: DirectoryUser) => ({
      employeeId: u.employeeId,
      userName: u.userName,
      givenName: u.givenName,
      familyName: u.familyName,
      displayName: u.displayName,
      title: u.title,
      accountEnabled: u.accountEnabled,
    });
    for (const [person, want] of expected) {
      const user = byEmployeeId.get(person)?.[0];
      if (!user) {
        lost.push(person);
        continue;
      }
      const got = JSON.stringify(actual(user));
      const ok = [want.last, want.alternative].some((r) => r && JSON.stringify(attributes(r)) === got);
      if (!ok) wrong.push(`${person}: want ${JSON.stringify(attributes(want.last))}, got ${got}`);
      if (user.id !== userIdOf.get(person))
        wrong.push(`${person}: user ${user.id}, run results say ${userIdOf.get(person)}`);
    }
    expect(lost, 'accepted people missing from the directory').toEqual([]);
    expect(wrong, 'people not as their last accepted record says').toEqual([]);

    // The employeeId filter agrees, for the most updated people and a spread of the others.
    const sample = [...expected.keys()].filter((p, i) => /-[0-4]$/.test(p) || i % 97 === 0);
    for (const person of sample) {
      const found = await usersByEmployeeId(server.url, token, person);
      expect(
        found.map((u) => u.id),
        `GET /api/v1/users?employeeId=${person}`,
      ).toEqual([userIdOf.get(person)]);
    }

    // 3d. The audit log: one user.create per person, and one user.update per applied update (no effect doubled).
    const creates = await auditByAction(server.url, token, 'user.create');
    const createsOf = new Map<string, number>();
    for (const a of creates) createsOf.set(a.targetId ?? '', (createsOf.get(a.targetId ?? '') ?? 0) + 1);
    const badCreates = users
      .filter((u) => createsOf.get(u.id) !== 1)
      .map((u) => `${u.employeeId}: ${createsOf.get(u.id) ?? 0}`);
    expect(badCreates, 'user.create records per user').toEqual([]);
    expect(creates.length, 'user.create records in all').toBe(users.length);
    const updates = await auditByAction(server.url, token, 'user.update');
    const updatesOf = new Map<string, number>();
    for (const a of updates) updatesOf.set(a.targetId ?? '', (updatesOf.get(a.targetId ?? '') ?? 0) + 1);
    const badUpdates: string[] = [];
    for (const [person, want] of expected) {
      const n = updatesOf.get(userIdOf.get(person) ?? '') ?? 0;
      if (n < want.updates || n > want.updates + want.maybeUpdates) {
        badUpdates.push(
          `${person}: ${n} user.update, ${want.updates} accepted updates (+${want.maybeUpdates} in doubt)`,
        );
      }
    }
    expect(badUpdates, 'user.update records per person').toEqual([]);

    // The store stays usable and stops cleanly.
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    expect(store.lockExists()).toBe(false);
    console.info(
      `[inbound-crash ${store.engine}] ${upload.accepted.length} accepted (${expected.size} people), ` +
        `${upload.inDoubt.length} in doubt (${extra.length} of them stored); kill: ${upload.trigger}; ${landed} (upload ${uploadMs} ms), ` +
        `restart to settled ${settleMs} ms`,
    );
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWorkflowTestApp,
  type EndpointRequest,
  type ExtensionEndpoint,
  startExtensionEndpoint,
  type WorkflowTestApp,
} from '../../test/workflows.ts';
import type { Extension, WorkflowRun } from './index.ts';

/** Custom task extensions that wait: the endpoint calls a single-use URL back to resume or fail the run. */
let t: WorkflowTestApp;
let endpoint: ExtensionEndpoint;
let seq = 0;
const SECRET = 'first-secret-0123456789abcdef';

beforeAll(async () => {
  [t, endpoint] = await Promise.all([
    createWorkflowTestApp({ start: '2026-07-01T09:00:00Z' }),
    startExtensionEndpoint(),
  ]);
});
beforeEach(() => {
  endpoint.answer = () => 200;
});
afterAll(async () => {
  await t?.close();
  await endpoint?.close();
});

interface ErrorBody {
  error: { code: string; details: { issues?: Array<{ field: string }> } };
}

async function extension(extra: Record<string, unknown> = {}) {
  const r = await t.api<Extension>('POST', '/workflows/extensions', {
    name: `Extension ${++seq}`,
    endpoint: endpoint.url,
    secret: SECRET,
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** An on-demand joiner workflow: the extension, then enabling the account; one run for a new person. */
async function runWith(extensionId: string, options: { continueOnError?: boolean } = {}) {
  const w = await t.createWorkflow({
    name: `Extension workflow ${++seq}`,
    category: 'joiner',
    trigger: { type: 'onDemand' },
    tasks: [
      {
        task: 'runCustomTaskExtension',
        arguments: { extensionId },
        continueOnError: options.continueOnError ?? false,
      },
      { task: 'enableUserAccount' },
    ],
  });
  const p = await t.person({
    userName: `ext.person${seq}@example.com`,
    displayName: `Extension Person ${seq}`,
    employeeId: `X${seq}`,
    department: 'Research',
    accountEnabled: false,
  });
  const [runId] = await t.activate(w.id, [p.id]);
  return { workflowId: w.id, runId: runId as string, userId: p.id };
}

const enabled = async (userId: string) =>
  (await t.api<{ accountEnabled: boolean }>('GET', `/users/${userId}`)).body.accountEnabled;
const requestsFor = (runId: string) =>
  endpoint.requests.filter((r) => (r.body.run as { id: string } | undefined)?.id === runId);
const callbackPath = (r: EndpointRequest) => new URL((r.body.callback as { url: string }).url).pathname;

describe('launchAndWait', () => {
  it('the run waits for the callback, then goes on with the next task; the URL works once', async () => {
    const ext = await extension({ mode: 'launchAndWait' });
    endpoint.answer = () => 202;
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    let run = await t.run(runId);
    expect(run.status).toBe('waiting');
    expect(run.tasks?.[0]?.status).toBe('waiting');
    expect(await enabled(userId)).toBe(false);
    const [call] = requestsFor(runId);
    const callback = (call as EndpointRequest).body.callback as { url: string; expiresAt: string };
    expect(callback.url).toMatch(
      /^https:\/\/joinery\.example\.test\/api\/v1\/workflows\/callbacks\/[\w-]{40,}$/,
    );
    expect(callback.expiresAt).toBe(new Date(t.clock.now().getTime() + 60 * 60_000).toISOString());

    const done = await t.call('POST', callbackPath(call as EndpointRequest), {
      body: { status: 'completed', data: { ticket: 'T-1' } },
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ runId });
    await t.execute();
    run = await t.run(runId);
    expect(run.status).toBe('completed');
    expect(run.tasks?.map((x) => x.status)).toEqual(['completed', 'completed']);
    expect(run.tasks?.[0]?.result).toMatchObject({
      callback: { status: 'completed', data: { ticket: 'T-1' } },
    });
    expect(await enabled(userId)).toBe(true);

    const again = await t.call('POST', callbackPath(call as EndpointRequest), {
      body: { status: 'completed' },
    });
    expect(again.status).toBe(404);
    expect(((await again.json()) as ErrorBody).error.code).toBe('workflows.callback_invalid');
  });

  it('a callback that comes before the endpoint has answered moves the run on once', async () => {
    const ext = await extension({ mode: 'launchAndWait' });
    endpoint.answer = async (request) => {
      const r = await t.call('POST', callbackPath(request), { body: { status: 'completed' } });
      expect(r.status).toBe(200);
      return 200;
    };
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    const run = await t.run(runId);
    expect(run.status).toBe('completed');
    expect(run.tasks?.map((x) => [x.status, x.attempts])).toEqual([
      ['completed', 1],
      ['completed', 1],
    ]);
    expect(requestsFor(runId)).toHaveLength(1);
    expect(await enabled(userId)).toBe(true);
  });

  it('a failed callback fails the task and the run; with continueOnError the run goes on', async () => {
    const ext = await extension({ mode: 'launchAndWait' });
    endpoint.answer = () => 202;
    const stops = await runWith(ext.id);
    const goesOn = await runWith(ext.id, { continueOnError: true });
    await t.execute();
    for (const x of [stops, goesOn]) {
      const [call] = requestsFor(x.runId);
      const r = await t.call('POST', callbackPath(call as EndpointRequest), {
        body: { status: 'failed', message: 'no laptop in stock' },
      });
      expect(r.status).toBe(200);
    }
    await t.execute();
    const stopped = await t.run(stops.runId);
    expect(stopped.status).toBe('failed');
    expect(stopped.tasks?.map((x) => x.status)).toEqual(['failed']);
    expect(stopped.tasks?.[0]?.error?.message).toBe('no laptop in stock');
    expect(await enabled(stops.userId)).toBe(false);
    const continued = await t.run(goesOn.runId);
    expect(continued.status).toBe('completedWithErrors');
    expect(continued.tasks?.map((x) => x.status)).toEqual(['failed', 'completed']);
    expect(await enabled(goesOn.userId)).toBe(true);
  });

  it('no callback within callbackTimeoutMinutes fails the task; a late callback is refused', async () => {
    const ext = await extension({ mode: 'launchAndWait', callbackTimeoutMinutes: 1 });
    endpoint.answer = () => 202;
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    expect((await t.run(runId)).status).toBe('waiting');
    // Not yet: 59 seconds later the run still waits.
    t.clock.advance(59_000);
    await t.app.workflows.pass();
    expect((await t.run(runId)).status).toBe('waiting');
    t.clock.advance(2 * 60_000);
    const pass = await t.app.workflows.pass();
    expect(pass.expiredCallbacks).toBe(1);
    await t.execute();
    const run = await t.run(runId);
    expect(run.status).toBe('failed');
    expect(run.tasks?.[0]).toMatchObject({
      status: 'failed',
      error: { message: 'the custom task extension did not call back in time' },
    });
    const [call] = requestsFor(runId);
    const late = await t.call('POST', callbackPath(call as EndpointRequest), {
      body: { status: 'completed' },
    });
    expect(late.status).toBe(404);
    expect(await enabled(userId)).toBe(false);
  });

  it('a call that outlasts the callback timeout still ends: the task fails at a later pass', async () => {
    const ext = await extension({ mode: 'launchAndWait', callbackTimeoutMinutes: 1, timeoutSeconds: 120 });
    // The endpoint takes its time: two minutes pass (and a scheduler pass runs) before it answers.
    endpoint.answer = async () => {
      t.clock.advance(2 * 60_000);
      await t.app.workflows.pass();
      return 202;
    };
    const { runId } = await runWith(ext.id);
    await t.execute();
    expect((await t.run(runId)).status).toBe('waiting');
    t.clock.advance(60_000);
    await t.pass();
    const run = await t.run(runId);
    expect(run.status).toBe('failed');
    expect(run.tasks?.[0]?.error?.message).toBe('the custom task extension did not call back in time');
  });

  it('a retried run calls the endpoint again with a new callback URL; the old one is dead', async () => {
    const ext = await extension({ mode: 'launchAndWait', callbackTimeoutMinutes: 1 });
    endpoint.answer = () => 202;
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    t.clock.advance(2 * 60_000);
    await t.pass();
    expect((await t.run(runId)).status).toBe('failed');
    expect((await t.api<WorkflowRun>('POST', `/workflows/runs/${runId}/retry`)).status).toBe(200);
    await t.execute();
    expect((await t.run(runId)).status).toBe('waiting');
    const [first, second] = requestsFor(runId);
    expect(callbackPath(second as EndpointRequest)).not.toBe(callbackPath(first as EndpointRequest));
    const old = await t.call('POST', callbackPath(first as EndpointRequest), {
      body: { status: 'completed' },
    });
    expect(old.status).toBe(404);
    const fresh = await t.call('POST', callbackPath(second as EndpointRequest), {
      body: { status: 'completed' },
    });
    expect(fresh.status).toBe(200);
    await t.execute();
    expect((await t.run(runId)).status).toBe('completed');
    expect(await enabled(userId)).toBe(true);
  });

  it('refuses a callback body that is not one, and changes nothing', async () => {
    const ext = await extension({ mode: 'launchAndWait' });
    endpoint.answer = () => 202;
    const { runId } = await runWith(ext.id);
    await t.execute();
    const [call] = requestsFor(runId);
    const path = callbackPath(call as EndpointRequest);
    const bad = await t.call('POST', path, { body: { status: 'done' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.details.issues?.map((i) => i.field)).toEqual(['status']);
    const notJson = await t.call('POST', path, {
      body: '{"status":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect((await t.run(runId)).status).toBe('waiting');
    // The URL still works after the bad attempts.
    expect((await t.call('POST', path, { body: { status: 'completed' } })).status).toBe(200);
    await t.execute();
    expect((await t.run(runId)).status).toBe('completed');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWorkflowTestApp,
  type EndpointRequest,
  type ExtensionEndpoint,
  startExtensionEndpoint,
  type WorkflowTestApp,
} from '../../test/workflows.ts';
import { type Extension, signExtensionRequest } from './index.ts';

/** Custom task extensions: a real HTTP endpoint on 127.0.0.1, signed calls, retries and callbacks. */
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
const verified = (r: EndpointRequest, secret: string) =>
  r.headers['x-joinery-signature'] ===
  signExtensionRequest(secret, Number(r.headers['x-joinery-timestamp']), r.raw);

describe('managing extensions', () => {
  it('shows the secret as ********; PUT with ******** keeps it, a new one replaces it', async () => {
    const ext = await extension({ headers: { 'X-Tenant': 'acme' } });
    expect(ext).toMatchObject({
      secret: '********',
      mode: 'launchAndContinue',
      timeoutSeconds: 30,
      headers: { 'X-Tenant': 'acme' },
    });
    expect((await t.api<Extension>('GET', `/workflows/extensions/${ext.id}`)).body.secret).toBe('********');
    const listed = await t.api<{ items: Extension[] }>('GET', '/workflows/extensions');
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);

    const kept = await t.api<Extension>('PUT', `/workflows/extensions/${ext.id}`, {
      name: ext.name,
      endpoint: endpoint.url,
      secret: '********',
      timeoutSeconds: 10,
    });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ secret: '********', timeoutSeconds: 10, headers: {} });
    const first = await runWith(ext.id);
    await t.execute();
    const [call] = requestsFor(first.runId);
    expect(call && verified(call, SECRET)).toBe(true);

    const replaced = await t.api<Extension>('PUT', `/workflows/extensions/${ext.id}`, {
      name: ext.name,
      endpoint: endpoint.url,
      secret: 'second-secret-0123456789abcdef',
    });
    expect(replaced.status).toBe(200);
    const second = await runWith(ext.id);
    await t.execute();
    const [again] = requestsFor(second.runId);
    expect(again && verified(again, 'second-secret-0123456789abcdef')).toBe(true);
    expect(again && verified(again, SECRET)).toBe(false);
  });

  it('refuses a duplicate name on create and on rename, and an invalid definition, naming the field', async () => {
    const a = await extension();
    const b = await extension();
    const dup = await t.api<ErrorBody>('POST', '/workflows/extensions', {
      name: a.name.toUpperCase(),
      endpoint: endpoint.url,
      secret: SECRET,
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('workflows.extension_exists');
    const rename = await t.api<ErrorBody>('PUT', `/workflows/extensions/${b.id}`, {
      name: a.name,
      endpoint: endpoint.url,
      secret: '********',
    });
    expect(rename.status).toBe(409);
    expect(rename.body.error.code).toBe('workflows.extension_exists');
    expect((await t.api<Extension>('GET', `/workflows/extensions/${b.id}`)).body.name).toBe(b.name);
    for (const [body, field] of [
      [{ name: 'Bad', endpoint: 'ftp://example.com/x', secret: SECRET }, 'endpoint'],
      [{ name: 'Bad', endpoint: endpoint.url, secret: 'short' }, 'secret'],
      [{ name: 'Bad', endpoint: endpoint.url, secret: SECRET, mode: 'fireAndForget' }, 'mode'],
      [{ name: 'Bad', endpoint: endpoint.url, secret: SECRET, timeoutSeconds: 0 }, 'timeoutSeconds'],
      [
        {
          name: 'Bad',
          endpoint: endpoint.url,
          secret: SECRET,
          headers: { 'x-joinery-signature': 'sha256=0' },
        },
        'headers.x-joinery-signature',
      ],
      [
        { name: 'Bad', endpoint: endpoint.url, secret: SECRET, headers: { 'Idempotency-Key': 'k' } },
        'headers.Idempotency-Key',
      ],
    ] as const) {
      const r = await t.api<ErrorBody>('POST', '/workflows/extensions', body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('workflows.invalid_extension');
      expect(r.body.error.details.issues?.map((i) => i.field)).toContain(field);
    }
    const raced = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.api('POST', '/workflows/extensions', {
          name: 'Raced extension',
          endpoint: endpoint.url,
          secret: SECRET,
        }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const names = (await t.api<{ items: Extension[] }>('GET', '/workflows/extensions')).body.items.map(
      (e) => e.name,
    );
    expect(names).not.toContain('Bad');
  });
});

describe('launchAndContinue', () => {
  it('posts the signed request with an idempotency key; the run goes on once the endpoint accepts', async () => {
    const ext = await extension({ headers: { 'X-Tenant': 'acme' } });
    const { runId, userId, workflowId } = await runWith(ext.id);
    await t.execute();
    const [call] = requestsFor(runId);
    expect(call).toBeDefined();
    const request = call as EndpointRequest;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-tenant']).toBe('acme');
    expect(request.headers['idempotency-key']).toBe(`${runId}:0`);
    expect(Number(request.headers['x-joinery-timestamp'])).toBe(Math.floor(t.clock.now().getTime() / 1000));
    expect(verified(request, SECRET)).toBe(true);
    expect(request.body).toMatchObject({
      type: 'joinery.workflows.customTaskExtension',
      id: `${runId}:0`,
      workflow: { id: workflowId, version: 1, category: 'joiner' },
      run: { id: runId },
      task: { position: 0, displayName: 'runCustomTaskExtension' },
      subject: { id: userId, department: 'Research', employeeId: expect.stringMatching(/^X/) },
      callback: null,
    });
    const run = await t.run(runId);
    expect(run.status).toBe('completed');
    expect(run.tasks?.[0]).toMatchObject({
      status: 'completed',
      result: { extensionId: ext.id, status: 200 },
    });
    expect(await enabled(userId)).toBe(true);
  });

  it('an endpoint answering 500 is called again later, with the same idempotency key', async () => {
    const ext = await extension();
    endpoint.answer = () => 500;
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    let run = await t.run(runId);
    expect(run.status).toBe('queued');
    expect(run.tasks?.[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(requestsFor(runId)).toHaveLength(1);
    endpoint.answer = () => 200;
    t.clock.advance(31_000);
    await t.execute();
    run = await t.run(runId);
    expect(run.status).toBe('completed');
    expect(run.tasks?.[0]).toMatchObject({ status: 'completed', attempts: 2 });
    const calls = requestsFor(runId);
    expect(calls.map((c) => c.headers['idempotency-key'])).toEqual([`${runId}:0`, `${runId}:0`]);
    expect(await enabled(userId)).toBe(true);
  });

  it('an endpoint that keeps failing fails the run after the retry limit; a retry by hand retries again', async () => {
    const ext = await extension();
    endpoint.answer = () => 503;
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    for (let i = 0; i < 3; i++) {
      t.clock.advance(10 * 60_000);
      await t.execute();
    }
    const run = await t.run(runId);
    expect(run.status).toBe('failed');
    expect(run.tasks?.[0]).toMatchObject({ status: 'failed', attempts: 4 });
    expect(requestsFor(runId)).toHaveLength(4);
    t.clock.advance(60 * 60_000);
    await t.execute();
    expect(requestsFor(runId)).toHaveLength(4);
    expect(await enabled(userId)).toBe(false);
    // Retried by hand once the outage is over: the automatic retries start again.
    expect((await t.api('POST', `/workflows/runs/${runId}/retry`)).status).toBe(200);
    await t.execute();
    expect((await t.run(runId)).status).toBe('queued');
    endpoint.answer = () => 200;
    t.clock.advance(60_000);
    await t.execute();
    expect((await t.run(runId)).status).toBe('completed');
    expect(requestsFor(runId)).toHaveLength(6);
    expect(await enabled(userId)).toBe(true);
  });

  it('an endpoint answering 400 fails the task for good', async () => {
    const ext = await extension();
    endpoint.answer = () => 400;
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    const run = await t.run(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'workflows.task_failed', position: 0 });
    expect(String(run.tasks?.[0]?.error?.message)).toContain('HTTP 400');
    t.clock.advance(60 * 60_000);
    await t.execute();
    expect(requestsFor(runId)).toHaveLength(1);
    expect(await enabled(userId)).toBe(false);
  });

  it('an endpoint that never answers times out: a failure that is retried', async () => {
    const ext = await extension({ timeoutSeconds: 1 });
    endpoint.answer = () => 'hang';
    const { runId, userId } = await runWith(ext.id);
    await t.execute();
    let run = await t.run(runId);
    expect(run.status).toBe('queued');
    expect(run.tasks?.[0]?.error?.message).toBe('the custom task extension did not answer within 1 s');
    endpoint.answer = () => 200;
    t.clock.advance(31_000);
    await t.execute();
    run = await t.run(runId);
    expect(run.status).toBe('completed');
    expect(await enabled(userId)).toBe(true);
  });
});

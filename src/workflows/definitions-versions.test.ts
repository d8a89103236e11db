import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkflowTestApp,
  type ExtensionEndpoint,
  startExtensionEndpoint,
  type WorkflowTestApp,
} from '../../test/workflows.ts';
import type { Workflow, WorkflowRun, WorkflowVersion } from './index.ts';

/** Workflow definitions through the admin API: versions, enabling and deleting. */
let t: WorkflowTestApp;
let endpoint: ExtensionEndpoint;
let seq = 0;

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: Array<{ field: string; message: string }> } };
}

beforeAll(async () => {
  [t, endpoint] = await Promise.all([createWorkflowTestApp(), startExtensionEndpoint()]);
});
afterAll(async () => {
  await t?.close();
  await endpoint?.close();
});

async function extension(mode: 'launchAndContinue' | 'launchAndWait', answer = 200) {
  endpoint.answer = () => answer;
  const r = await t.api<{ id: string }>('POST', '/workflows/extensions', {
    name: `Definitions extension ${++seq}`,
    endpoint: endpoint.url,
    secret: 'definitions-secret-0123456789',
    mode,
  });
  expect(r.status).toBe(201);
  return r.body.id;
}

describe('versions', () => {
  it('an edit makes version 2; the versions list holds both, newest first', async () => {
    const w = await t.createWorkflow({
      name: 'Versioned',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const edited = await t.api<Workflow>('PUT', `/workflows/${w.id}`, {
      name: 'Versioned',
      description: 'now also a welcome',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }, { task: 'sendWelcomeEmail' }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, description: 'now also a welcome' });
    const versions = await t.api<{ items: WorkflowVersion[] }>('GET', `/workflows/${w.id}/versions`);
    expect(versions.body.items.map((v) => [v.version, v.definition.tasks.map((x) => x.task)])).toEqual([
      [2, ['enableUserAccount', 'sendWelcomeEmail']],
      [1, ['enableUserAccount']],
    ]);
    await t.api('DELETE', `/workflows/${w.id}`);
  });

  it('a run started on version 1 keeps version 1 after an edit, even when retried', async () => {
    const w = await t.createWorkflow({
      name: 'Welcome versions',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'sendWelcomeEmail', arguments: { subject: 'Welcome, version one' } }],
    });
    // No e-mail address at all: the welcome cannot be sent and the run fails.
    const p = await t.person({ userName: 'no.mail.yet@example.com', givenName: 'Noor' });
    const [runId] = await t.activate(w.id, [p.id]);
    await t.execute();
    expect((await t.run(runId as string)).status).toBe('failed');
    const edited = await t.api<Workflow>('PUT', `/workflows/${w.id}`, {
      name: 'Welcome versions',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'sendWelcomeEmail', arguments: { subject: 'Welcome, version two' } }],
    });
    expect(edited.body.version).toBe(2);
    await t.api('PATCH', `/users/${p.id}`, { emails: [{ value: 'noor@example.com', primary: true }] });
    expect((await t.api('POST', `/workflows/runs/${runId}/retry`)).status).toBe(200);
    await t.execute();
    const run = await t.run(runId as string);
    expect(run).toMatchObject({ status: 'completed', version: 1 });
    const mail = await t.smtp.waitFor((m) => m.to.includes('noor@example.com'));
    expect(mail.subject).toBe('Welcome, version one');
    // A new run takes the current version.
    const [second] = await t.activate(w.id, [p.id]);
    await t.execute();
    expect(await t.run(second as string)).toMatchObject({ status: 'completed', version: 2 });
    await t.smtp.waitFor((m) => m.to.includes('noor@example.com') && m.subject === 'Welcome, version two');
    await t.api('DELETE', `/workflows/${w.id}`);
  });

  it('five creates of one name at once: one is made, the others are told the name is taken', async () => {
    const body = {
      name: 'Raced',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.api<{ id: string }>('POST', '/workflows', body)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results) if (r.status === 201) await t.api('DELETE', `/workflows/${r.body.id}`);
  });

  it('names are unique regardless of case, on create and on edit; a deleted name is free again', async () => {
    const first = await t.createWorkflow({
      name: 'Unique name',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const clash = await t.api('POST', '/workflows', {
      name: 'UNIQUE NAME',
      category: 'leaver',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'disableUserAccount' }],
    });
    expect(clash.status).toBe(409);
    expect((clash.body as unknown as ErrorBody).error.code).toBe('workflows.workflow_exists');
    const second = await t.createWorkflow({
      name: 'Another name',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const rename = await t.api('PUT', `/workflows/${second.id}`, {
      name: 'unique name',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    expect(rename.status).toBe(409);
    expect((await t.api<Workflow>('GET', `/workflows/${second.id}`)).body).toMatchObject({
      name: 'Another name',
      version: 1,
    });
    await t.api('DELETE', `/workflows/${first.id}`);
    const again = await t.api('POST', '/workflows', {
      name: 'Unique name',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    expect(again.status).toBe(201);
    await t.api('DELETE', `/workflows/${second.id}`);
    await t.api('DELETE', `/workflows/${(again.body as { id: string }).id}`);
  });
});

describe('enabling and deleting', () => {
  it('PATCH enabled switches the workflow without making a version', async () => {
    const w = await t.createWorkflow({
      name: 'Switchable',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    });
    const off = await t.api<Workflow>('PATCH', `/workflows/${w.id}`, { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, version: 1 });
    expect((await t.api<Workflow>('GET', `/workflows/${w.id}`)).body.enabled).toBe(false);
    const on = await t.api<Workflow>('PATCH', `/workflows/${w.id}`, { enabled: true });
    expect(on.body).toMatchObject({ enabled: true, version: 1 });
    expect((await t.api<{ items: unknown[] }>('GET', `/workflows/${w.id}/versions`)).body.items).toHaveLength(
      1,
    );
    await t.api('DELETE', `/workflows/${w.id}`);
  });

  it('an edit that does not say enabled leaves a disabled workflow disabled', async () => {
    const body = {
      name: 'Edited while off',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'enableUserAccount' }],
    };
    const w = await t.createWorkflow(body);
    await t.api('PATCH', `/workflows/${w.id}`, { enabled: false });
    const edited = await t.api<Workflow>('PUT', `/workflows/${w.id}`, { ...body, description: 'new text' });
    expect(edited.body).toMatchObject({ version: 2, enabled: false });
    expect((await t.api<Workflow>('GET', `/workflows/${w.id}`)).body.enabled).toBe(false);
    const on = await t.api<Workflow>('PUT', `/workflows/${w.id}`, { ...body, enabled: true });
    expect(on.body).toMatchObject({ version: 3, enabled: true });
    await t.api('DELETE', `/workflows/${w.id}`);
  });

  it('deleting cancels its queued and waiting runs; the history stays readable', async () => {
    const retrying = await extension('launchAndContinue', 503);
    const waiting = await extension('launchAndWait', 202);
    const run = async (extensionId: string, name: string) => {
      const w = await t.createWorkflow({
        name,
        category: 'joiner',
        trigger: { type: 'onDemand' },
        tasks: [
          { task: 'runCustomTaskExtension', arguments: { extensionId } },
          { task: 'enableUserAccount' },
        ],
      });
      const p = await t.person({
        userName: `${name.replace(/\W/g, '').toLowerCase()}@example.com`,
        accountEnabled: false,
      });
      const [runId] = await t.activate(w.id, [p.id]);
      return { workflowId: w.id, runId: runId as string, userId: p.id };
    };
    endpoint.answer = () => 503;
    const a = await run(retrying, 'Deleted while retrying');
    await t.execute();
    expect((await t.run(a.runId)).status).toBe('queued');
    endpoint.answer = () => 202;
    const b = await run(waiting, 'Deleted while waiting');
    await t.execute();
    expect((await t.run(b.runId)).status).toBe('waiting');
    const callback = (endpoint.requests.at(-1)?.body.callback as { url: string } | undefined)?.url ?? '';
    const calls = endpoint.requests.length;

    for (const x of [a, b]) expect((await t.api('DELETE', `/workflows/${x.workflowId}`)).status).toBe(200);
    for (const x of [a, b]) {
      expect((await t.run(x.runId)).status).toBe('cancelled');
      expect((await t.api('GET', `/workflows/${x.workflowId}`)).status).toBe(404);
      expect(
        (await t.api<{ items: WorkflowRun[] }>('GET', `/workflows/${x.workflowId}/runs`)).body.items,
      ).toHaveLength(1);
      expect(
        (await t.api<{ items: unknown[] }>('GET', `/workflows/${x.workflowId}/versions`)).body.items,
      ).toHaveLength(1);
    }
    // The retry comes due and the callback arrives: neither brings a cancelled run back.
    endpoint.answer = () => 200;
    t.clock.advance(10 * 60_000);
    await t.pass();
    const late = await t.call('POST', new URL(callback).pathname, { body: { status: 'completed' } });
    expect(late.status).toBe(404);
    for (const x of [a, b]) {
      expect((await t.run(x.runId)).status).toBe('cancelled');
      expect(
        (await t.api<{ accountEnabled: boolean }>('GET', `/users/${x.userId}`)).body.accountEnabled,
      ).toBe(false);
    }
    expect(endpoint.requests).toHaveLength(calls);
  });

  it('a failed run of a deleted workflow cannot be retried', async () => {
    const w = await t.createWorkflow({
      name: 'Deleted after failing',
      category: 'joiner',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'sendWelcomeEmail' }, { task: 'enableUserAccount' }],
    });
    const p = await t.person({ userName: 'failed.then.deleted@example.com', accountEnabled: false });
    const [runId] = await t.activate(w.id, [p.id]);
    await t.execute();
    expect((await t.run(runId as string)).status).toBe('failed');
    await t.api('DELETE', `/workflows/${w.id}`);
    // Failed runs are history: deleting leaves them as they were.
    expect((await t.run(runId as string)).status).toBe('failed');
    const retry = await t.api('POST', `/workflows/runs/${runId}/retry`);
    expect(retry.status).toBe(409);
    expect((retry.body as unknown as ErrorBody).error.code).toBe('workflows.run_not_retryable');
    await t.execute();
    expect((await t.api<{ accountEnabled: boolean }>('GET', `/users/${p.id}`)).body.accountEnabled).toBe(
      false,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkflowTestApp,
  type ExtensionEndpoint,
  startExtensionEndpoint,
  type WorkflowTestApp,
} from '../../test/workflows.ts';
import type { Workflow, WorkflowRun, WorkflowTemplate, WorkflowVersion } from './index.ts';

/** Workflow definitions through the admin API: templates, validation, versions, enabling, deleting. */
let t: WorkflowTestApp;
let endpoint: ExtensionEndpoint;
let group: string;
let seq = 0;

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: Array<{ field: string; message: string }> } };
}

beforeAll(async () => {
  [t, endpoint] = await Promise.all([createWorkflowTestApp(), startExtensionEndpoint()]);
  group = (await t.api<{ id: string }>('POST', '/groups', { displayName: 'Definitions group' })).body.id;
});
afterAll(async () => {
  await t?.close();
  await endpoint?.close();
});

const names = async () =>
  (await t.api<{ items: Workflow[] }>('GET', '/workflows')).body.items.map((w) => w.name).sort();

const fieldsOf = (body: unknown) => ((body as ErrorBody).error.details.issues ?? []).map((i) => i.field);

/** Sets a dotted path (`tasks.0.arguments.groupIds`) inside a copy of a definition. */
function withPath(definition: Record<string, unknown>, path: string, value: unknown) {
  const copy = structuredClone(definition);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1) as string] = value;
  return copy;
}

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

describe('templates', () => {
  it('creates a workflow from each of the ten templates, refusing those that need groups until they are named', async () => {
    const { body } = await t.api<{ items: WorkflowTemplate[] }>('GET', '/workflows/templates');
    expect(body.items).toHaveLength(10);
    const needy = body.items.filter((x) => x.needs.length > 0).map((x) => x.id);
    expect(needy.sort()).toEqual(['employeeGroupMembershipChange', 'postOnboardingEmployee']);
    for (const template of body.items) {
      const name = `From ${template.id}`;
      if (template.needs.length > 0) {
        const refused = await t.api('POST', '/workflows', { template: template.id, name });
        expect(refused.status, template.id).toBe(400);
        expect((refused.body as unknown as ErrorBody).error.code).toBe('workflows.invalid_workflow');
        expect(fieldsOf(refused.body)).toEqual(template.needs);
        expect(await names()).not.toContain(name);
      }
      const overrides: Record<string, unknown> = {};
      let filled = template.definition as unknown as Record<string, unknown>;
      for (const need of template.needs) filled = withPath(filled, need, [group]);
      for (const need of template.needs) {
        const top = need.split('.')[0] as string;
        overrides[top] = filled[top];
      }
      const created = await t.api<Workflow>('POST', '/workflows', {
        template: template.id,
        name,
        ...overrides,
      });
      expect(created.status, `${template.id}: ${JSON.stringify(created.body)}`).toBe(201);
      expect(created.body).toMatchObject({
        name,
        category: template.definition.category,
        version: 1,
        enabled: true,
        definition: {
          trigger: expect.objectContaining(template.definition.trigger),
          tasks: template.definition.tasks.map((task) => expect.objectContaining({ task: task.task })),
        },
      });
    }
    expect(await names()).toEqual(body.items.map((x) => `From ${x.id}`).sort());
    for (const w of (await t.api<{ items: Workflow[] }>('GET', '/workflows')).body.items)
      expect((await t.api('DELETE', `/workflows/${w.id}`)).status).toBe(200);
  });

  it('answers 404 for a template that does not exist', async () => {
    const r = await t.api('POST', '/workflows', { template: 'onboardAstronaut', name: 'Nope' });
    expect(r.status).toBe(404);
    expect((r.body as unknown as ErrorBody).error.code).toBe('workflows.template_not_found');
  });
});

describe('invalid definitions', () => {
  const base = (over: Record<string, unknown> = {}) => ({
    name: `Invalid ${++seq}`,
    category: 'joiner',
    trigger: { type: 'onDemand' },
    tasks: [{ task: 'enableUserAccount' }],
    ...over,
  });
  const missing = '0190a7e4-0000-7000-8000-000000000001';
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['an unknown task', () => base({ tasks: [{ task: 'launchRocket' }] }), 'tasks.0.task'],
    [
      'a task of another category',
      () =>
        base({ category: 'leaver', tasks: [{ task: 'disableUserAccount' }, { task: 'enableUserAccount' }] }),
      'tasks.1.task',
    ],
    [
      'a group id that is not one',
      () => base({ tasks: [{ task: 'addUserToGroups', arguments: { groupIds: ['sales'] } }] }),
      'tasks.0.arguments.groupIds.0',
    ],
    [
      'an argument the task does not take',
      () => base({ tasks: [{ task: 'enableUserAccount', arguments: { force: true } }] }),
      'tasks.0.arguments',
    ],
    [
      'a locale that is not a language tag',
      () => base({ tasks: [{ task: 'sendWelcomeEmail', arguments: { locale: 'French' } }] }),
      'tasks.0.arguments.locale',
    ],
    [
      'a rule on an unknown attribute',
      () => base({ scope: { rule: "favouriteColour eq 'blue'" } }),
      'scope.rule',
    ],
    ['a rule with a quote left open', () => base({ scope: { rule: "department eq 'Sales" } }), 'scope.rule'],
    [
      'a group that does not exist (task)',
      () => base({ tasks: [{ task: 'addUserToGroups', arguments: { groupIds: [missing] } }] }),
      'tasks.0.arguments.groupIds',
    ],
    ['a group that does not exist (scope)', () => base({ scope: { groupIds: [missing] } }), 'scope.groupIds'],
    [
      'an extension that does not exist',
      () => base({ tasks: [{ task: 'runCustomTaskExtension', arguments: { extensionId: missing } }] }),
      'tasks.0.arguments.extensionId',
    ],
    [
      'an unknown placeholder in a custom subject',
      () =>
        base({
          tasks: [
            { task: 'sendWelcomeEmail', arguments: { subject: 'Hi {{user.nickname}}', body: 'Hello' } },
          ],
        }),
      'tasks.0.arguments.subject',
    ],
    [
      'a placeholder this e-mail has no value for',
      () =>
        base({
          tasks: [
            {
              task: 'sendWelcomeEmail',
              arguments: { subject: 'Welcome', body: 'Your code: {{activation.code}}' },
            },
          ],
        }),
      'tasks.0.arguments.body',
    ],
    [
      'a custom activation e-mail without the code',
      () =>
        base({
          tasks: [
            { task: 'generateActivationCode', arguments: { subject: 'Your code', body: 'Ask IT for it' } },
          ],
        }),
      'tasks.0.arguments.body',
    ],
    [
      'a membership trigger without groups',
      () => base({ category: 'mover', trigger: { type: 'membershipChange', changeType: 'add' } }),
      'scope.groupIds',
    ],
    [
      'an attribute trigger on an attribute people do not have',
      () =>
        base({
          category: 'mover',
          trigger: { type: 'attributeChange', triggerAttributes: ['department', 'favouriteColour'] },
        }),
      'trigger.triggerAttributes.1',
    ],
    [
      'a time of day that does not exist',
      () =>
        base({
          trigger: {
            type: 'timeBasedAttribute',
            timeBasedAttribute: 'employeeHireDate',
            offsetInDays: 0,
            timeOfDay: '25:00',
          },
        }),
      'trigger.timeOfDay',
    ],
    ['no name', () => ({ ...base(), name: '' }), 'name'],
    ['no tasks', () => base({ tasks: [] }), 'tasks'],
    ['an unknown field', () => base({ colour: 'blue' }), 'colour'],
  ];

  it.each(cases)('refuses %s, naming the field, and stores nothing', async (_what, make, field) => {
    const before = await names();
    const body = make();
    const r = await t.api('POST', '/workflows', body);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect((r.body as unknown as ErrorBody).error.code).toBe('workflows.invalid_workflow');
    expect(fieldsOf(r.body)).toContain(field);
    expect(await names()).toEqual(before);
  });

  it('refuses an invalid replacement the same way and keeps the current version', async () => {
    const w = await t.createWorkflow(base());
    const r = await t.api('PUT', `/workflows/${w.id}`, base({ tasks: [{ task: 'launchRocket' }] }));
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toEqual(['tasks.0.task']);
    expect((await t.api<Workflow>('GET', `/workflows/${w.id}`)).body.version).toBe(1);
    expect((await t.api<{ items: unknown[] }>('GET', `/workflows/${w.id}/versions`)).body.items).toHaveLength(
      1,
    );
    await t.api('DELETE', `/workflows/${w.id}`);
  });
});

describe('scope rules', () => {
  it("accepts Entra's spelling: single quotes, a doubled quote inside, Graph names such as jobTitle", async () => {
    const rule =
      "(department eq 'Sales') and (jobTitle eq 'Account Manager') and (companyName eq 'O''Brien Ltd')";
    const w = await t.api<Workflow>('POST', '/workflows', {
      name: 'Entra rule',
      category: 'joiner',
      scope: { rule },
      trigger: { type: 'userInactivity', inactivityPeriodInDays: 30 },
      tasks: [{ task: 'sendWelcomeEmail' }],
    });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    expect(w.body.definition.scope.rule).toBe(rule);
    const inScope = await t.person({
      userName: 'obrien.sales@example.com',
      emails: [{ value: 'obrien.sales@example.com', primary: true }],
      department: 'Sales',
      title: 'Account Manager',
      companyName: "O'Brien Ltd",
    });
    const otherCompany = await t.person({
      userName: 'other.sales@example.com',
      emails: [{ value: 'other.sales@example.com', primary: true }],
      department: 'Sales',
      title: 'Account Manager',
      companyName: 'Brien Ltd',
    });
    const otherTitle = await t.person({
      userName: 'obrien.engineer@example.com',
      emails: [{ value: 'obrien.engineer@example.com', primary: true }],
      department: 'Sales',
      title: 'Engineer',
      companyName: "O'Brien Ltd",
    });
    t.clock.advance(31 * 24 * 3_600_000);
    await t.pass();
    expect((await t.runsOf(inScope.id)).map((r) => r.workflowId)).toEqual([w.body.id]);
    expect(await t.runsOf(otherCompany.id)).toEqual([]);
    expect(await t.runsOf(otherTitle.id)).toEqual([]);
    await t.api('DELETE', `/workflows/${w.body.id}`);
  });
});

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

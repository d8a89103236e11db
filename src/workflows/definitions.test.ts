import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkflowTestApp,
  type ExtensionEndpoint,
  startExtensionEndpoint,
  type WorkflowTestApp,
} from '../../test/workflows.ts';
import type { Workflow, WorkflowTemplate } from './index.ts';

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

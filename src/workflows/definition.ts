import { z } from 'zod';
import { userAttributeNames } from '../directory/index.ts';
import { type Category, isTaskName, taskCatalog, taskNames } from './tasks.ts';

/** Graph's attribute names in trigger lists, as the directory's change events name them. */
const attributeAliases: Record<string, string> = {
  jobtitle: 'title',
  manager: 'managerId',
  employeeid: 'employeeId',
  companyname: 'companyName',
  accountenabled: 'accountEnabled',
  mail: 'emails',
};

/** A trigger attribute as the directory's change events name it, lower-cased for comparison. */
export const canonicalAttribute = (name: string) =>
  (attributeAliases[name.toLowerCase()] ?? name).toLowerCase();

const userAttributes = new Set(userAttributeNames.map((n) => n.toLowerCase()));

const timeOfDay = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (24-hour), or 24:00 for the end of the day');

/** When a workflow runs for a person. Names follow Microsoft Graph's workflow trigger types. */
export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('timeBasedAttribute'),
    timeBasedAttribute: z.enum(['employeeHireDate', 'employeeLeaveDateTime', 'createdDateTime']),
    /** Days before (negative) or after (positive) the attribute's day. */
    offsetInDays: z.int().min(-180).max(180),
    /** Local time in the person's own time zone; `24:00` is the end of the day. */
    timeOfDay: timeOfDay.default('00:00'),
  }),
  z.strictObject({
    type: z.literal('attributeChange'),
    /** Directory attributes whose change starts the workflow (`department`, `title` or `jobTitle`, `managerId`...). */
    triggerAttributes: z.array(z.string().trim().min(1).max(100)).min(1).max(50),
  }),
  z.strictObject({
    type: z.literal('membershipChange'),
    /** Joining (`add`) or leaving (`remove`) one of the scope's groups. */
    changeType: z.enum(['add', 'remove']),
  }),
  z.strictObject({
    type: z.literal('userInactivity'),
    /** Days since the last sign-in (or since the account was made, for people who never signed in). */
    inactivityPeriodInDays: z.int().min(1).max(3650),
  }),
  z.strictObject({ type: z.literal('onDemand') }),
]);
export type Trigger = z.output<typeof triggerSchema>;

export const scopeSchema = z
  .strictObject({
    /** A rule over user attributes, e.g. `department eq 'Sales'` (Entra's quotes) or SCIM's `"Sales"`. */
    rule: z.string().trim().min(1).max(4000).optional(),
    /** Members of any of these groups (nested groups count). */
    groupIds: z.array(z.uuid()).min(1).max(50).optional(),
  })
  .prefault({});
export type Scope = z.output<typeof scopeSchema>;

const taskInput = z.strictObject({
  task: z.string().trim().min(1).max(100),
  displayName: z.string().trim().min(1).max(200).optional(),
  enabled: z.boolean().default(true),
  /** Go on with the next task when this one fails (Entra's continueOnError). */
  continueOnError: z.boolean().default(false),
  arguments: z.record(z.string(), z.unknown()).default({}),
});

export const workflowInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  category: z.enum(['joiner', 'mover', 'leaver']),
  enabled: z.boolean().default(true),
  scope: scopeSchema,
  trigger: triggerSchema,
  tasks: z.array(taskInput).min(1, 'a workflow needs at least one task').max(25),
});
export type WorkflowInput = z.input<typeof workflowInputSchema>;

export interface TaskDefinition {
  task: (typeof taskNames)[number];
  displayName: string;
  enabled: boolean;
  continueOnError: boolean;
  arguments: Record<string, unknown>;
}

export interface WorkflowDefinition {
  name: string;
  description: string;
  category: Category;
  enabled: boolean;
  scope: Scope;
  trigger: Trigger;
  tasks: TaskDefinition[];
}

export interface DefinitionIssue {
  field: string;
  message: string;
}

/** Parses a workflow definition: the shape, then each task's name, category and arguments. */
export function parseDefinition(
  input: unknown,
): { ok: true; value: WorkflowDefinition } | { ok: false; issues: DefinitionIssue[] } {
  const parsed = workflowInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }))
          : [{ field: issue.path.join('.') || 'body', message: issue.message }],
      ),
    };
  }
  const issues: DefinitionIssue[] = [];
  const tasks: TaskDefinition[] = [];
  parsed.data.tasks.forEach((t, n) => {
    const at = `tasks.${n}`;
    if (!isTaskName(t.task)) {
      issues.push({
        field: `${at}.task`,
        message: `unknown task "${t.task}"; known: ${taskNames.join(', ')}`,
      });
      return;
    }
    const spec = taskCatalog[t.task];
    if (!(spec.categories as readonly string[]).includes(parsed.data.category))
      issues.push({
        field: `${at}.task`,
        message: `${t.task} is not a ${parsed.data.category} task (it belongs to ${spec.categories.join(', ')} workflows)`,
      });
    const args = spec.arguments.safeParse(t.arguments);
    if (!args.success) {
      for (const issue of args.error.issues)
        issues.push({
          field: [at, 'arguments', ...issue.path].join('.'),
          message:
            issue.code === 'unrecognized_keys'
              ? `unknown argument(s) ${issue.keys.join(', ')}`
              : issue.message,
        });
      return;
    }
    tasks.push({
      task: t.task,
      displayName: t.displayName ?? t.task,
      enabled: t.enabled,
      continueOnError: t.continueOnError,
      arguments: args.data,
    });
  });
  const { trigger, scope } = parsed.data;
  // A misspelt attribute would never change: the workflow would silently never run.
  if (trigger.type === 'attributeChange')
    trigger.triggerAttributes.forEach((name, n) => {
      if (!userAttributes.has(canonicalAttribute(name)))
        issues.push({
          field: `trigger.triggerAttributes.${n}`,
          message: `"${name}" is not a user attribute; known: ${userAttributeNames.join(', ')}, or Graph's jobTitle, manager, mail`,
        });
    });
  if (trigger.type === 'membershipChange' && !scope.groupIds)
    issues.push({
      field: 'scope.groupIds',
      message: 'a membershipChange trigger needs the groups it watches',
    });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { ...parsed.data, tasks } };
}

import { z } from 'zod';

export type Category = 'joiner' | 'mover' | 'leaver';

const emailArguments = z.strictObject({
  /** Custom subject and plain-text body with `{{placeholders}}`; absent: the built-in template. */
  subject: z.string().trim().min(1).max(300).optional(),
  body: z.string().trim().min(1).max(20_000).optional(),
  /** Language of the built-in template; absent: the person's preferredLanguage, then the default. */
  locale: z
    .string()
    .regex(/^[a-z]{2}(-[A-Za-z]{2})?$/, 'must be a language tag such as en or fr-FR')
    .optional(),
  /** More addresses that receive a copy (Entra's CC). */
  cc: z.array(z.email()).max(20).default([]),
});

const groupArguments = z.strictObject({
  groupIds: z.array(z.uuid()).min(1, 'name at least one group').max(50),
});

const none = z.strictObject({});

/**
 * The built-in tasks, named as Microsoft Entra's lifecycle workflow tasks are (camelCase of the task
 * definition's name), with the workflow categories each may appear in and its arguments.
 */
export const taskCatalog = {
  enableUserAccount: {
    categories: ['joiner', 'mover'],
    description: 'Enable the account.',
    arguments: none,
  },
  disableUserAccount: {
    categories: ['joiner', 'mover', 'leaver'],
    description: 'Disable the account (it can sign in no more; it is kept).',
    arguments: none,
  },
  deleteUserAccount: {
    categories: ['leaver'],
    description: 'Soft-delete the account (restorable during the retention period).',
    arguments: none,
  },
  addUserToGroups: {
    categories: ['joiner', 'mover'],
    description: 'Add the person to the listed groups.',
    arguments: groupArguments,
  },
  removeUserFromSelectedGroups: {
    categories: ['joiner', 'mover', 'leaver'],
    description: 'Remove the person from the listed groups.',
    arguments: groupArguments,
  },
  removeUserFromAllGroups: {
    categories: ['mover', 'leaver'],
    description: 'Remove the person from every group they are a direct member of.',
    arguments: none,
  },
  generateActivationCode: {
    categories: ['joiner'],
    description:
      'Issue a one-time day-1 activation code (revoking an earlier one) and e-mail it to the manager, the personal e-mail or both.',
    arguments: emailArguments.extend({
      sendTo: z.enum(['manager', 'personalEmail', 'both']).default('personalEmail'),
    }),
  },
  sendWelcomeEmail: {
    categories: ['joiner'],
    description: 'E-mail a welcome to the person (work address, else personal e-mail).',
    arguments: emailArguments,
  },
  sendOnboardingReminderEmail: {
    categories: ['joiner'],
    description: "Remind the person's manager that their new report starts soon.",
    arguments: emailArguments,
  },
  notifyManagerOfMove: {
    categories: ['mover'],
    description: "Tell the person's manager what changed (department, title, manager...).",
    arguments: emailArguments,
  },
  sendEmailToManagerBeforeLastDay: {
    categories: ['leaver'],
    description: "E-mail the person's manager before their last day.",
    arguments: emailArguments,
  },
  sendEmailOnUsersLastDay: {
    categories: ['leaver'],
    description: "E-mail the person's manager on the person's last day.",
    arguments: emailArguments,
  },
  sendEmailToManagerAfterLastDay: {
    categories: ['leaver'],
    description: "E-mail the person's manager after the person's last day.",
    arguments: emailArguments,
  },
  runCustomTaskExtension: {
    categories: ['joiner', 'mover', 'leaver'],
    description:
      'Call a custom task extension (a signed HTTP request to your endpoint); it can wait for a callback.',
    arguments: z.strictObject({ extensionId: z.uuid() }),
  },
} as const satisfies Record<
  string,
  { categories: readonly Category[]; description: string; arguments: z.ZodType<Record<string, unknown>> }
>;

export type TaskName = keyof typeof taskCatalog;
export const taskNames = Object.keys(taskCatalog) as TaskName[];

export type EmailArguments = z.output<typeof emailArguments>;
export type GroupArguments = z.output<typeof groupArguments>;
export type ActivationCodeArguments = z.output<(typeof taskCatalog)['generateActivationCode']['arguments']>;

export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(taskCatalog, name);
}

/** E-mail tasks and who receives them. */
export const emailTasks = {
  sendWelcomeEmail: { template: 'welcome', to: 'user' },
  sendOnboardingReminderEmail: { template: 'onboardingReminder', to: 'manager' },
  notifyManagerOfMove: { template: 'managerUserMoved', to: 'manager' },
  sendEmailToManagerBeforeLastDay: { template: 'managerBeforeLastDay', to: 'manager' },
  sendEmailOnUsersLastDay: { template: 'managerOnLastDay', to: 'manager' },
  sendEmailToManagerAfterLastDay: { template: 'managerAfterLastDay', to: 'manager' },
} as const;
export type EmailTaskName = keyof typeof emailTasks;

import type { WorkflowInput } from './definition.ts';

export interface WorkflowTemplate {
  id: string;
  /** Microsoft Entra's template of the same purpose. */
  entraTemplate: string;
  description: string;
  /** What an admin must fill in before the definition is valid (groups, an extension). */
  needs: string[];
  definition: WorkflowInput;
}

const hire = (offsetInDays: number, timeOfDay = '00:00') =>
  ({ type: 'timeBasedAttribute', timeBasedAttribute: 'employeeHireDate', offsetInDays, timeOfDay }) as const;
const leave = (offsetInDays: number, timeOfDay = '00:00') =>
  ({
    type: 'timeBasedAttribute',
    timeBasedAttribute: 'employeeLeaveDateTime',
    offsetInDays,
    timeOfDay,
  }) as const;

/**
 * Ready definitions equivalent to Entra's ten lifecycle workflow templates. Create a workflow from one
 * with `POST /api/v1/workflows { "template": id, ...overrides }`. Templates that act on groups carry
 * an empty group list: the definition is refused until the admin names theirs.
 */
export const templates: WorkflowTemplate[] = [
  {
    id: 'onboardPreHireEmployee',
    entraTemplate: 'Onboard pre-hire employee',
    description: 'A week before the hire date: issue the activation code and remind the manager.',
    needs: [],
    definition: {
      name: 'Onboard pre-hire employee',
      category: 'joiner',
      trigger: hire(-7, '09:00'),
      tasks: [
        { task: 'generateActivationCode', arguments: { sendTo: 'both' } },
        { task: 'sendOnboardingReminderEmail', continueOnError: true },
      ],
    },
  },
  {
    id: 'onboardNewHireEmployee',
    entraTemplate: 'Onboard new hire employee',
    description:
      'At the start of the hire date in the person’s own time zone: enable the account and welcome them.',
    needs: [],
    definition: {
      name: 'Onboard new hire employee',
      category: 'joiner',
      trigger: hire(0, '00:00'),
      tasks: [{ task: 'enableUserAccount' }, { task: 'sendWelcomeEmail', continueOnError: true }],
    },
  },
  {
    id: 'postOnboardingEmployee',
    entraTemplate: 'Post-Onboarding of an employee',
    description: 'A week after the hire date: add the person to the groups they get once settled in.',
    needs: ['tasks.0.arguments.groupIds'],
    definition: {
      name: 'Post-onboarding of an employee',
      category: 'joiner',
      trigger: hire(7, '09:00'),
      tasks: [{ task: 'addUserToGroups', arguments: { groupIds: [] } }],
    },
  },
  {
    id: 'realTimeEmployeeChange',
    entraTemplate: 'Real-time employee change',
    description: 'On demand for chosen people: tell their manager what changed.',
    needs: [],
    definition: {
      name: 'Real-time employee change',
      category: 'mover',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'notifyManagerOfMove' }],
    },
  },
  {
    id: 'realTimeEmployeeTermination',
    entraTemplate: 'Real-time employee termination',
    description: 'On demand for chosen people: remove every group membership and disable the account now.',
    needs: [],
    definition: {
      name: 'Real-time employee termination',
      category: 'leaver',
      trigger: { type: 'onDemand' },
      tasks: [{ task: 'removeUserFromAllGroups' }, { task: 'disableUserAccount' }],
    },
  },
  {
    id: 'preOffboardingEmployee',
    entraTemplate: 'Pre-Offboarding of an employee',
    description: 'A week before the last day: remind the manager.',
    needs: [],
    definition: {
      name: 'Pre-offboarding of an employee',
      category: 'leaver',
      trigger: leave(-7, '09:00'),
      tasks: [{ task: 'sendEmailToManagerBeforeLastDay' }],
    },
  },
  {
    id: 'offboardEmployee',
    entraTemplate: 'Offboard an employee',
    description:
      'At the end of the last day in the person’s own time zone: disable the account and remove group memberships.',
    needs: [],
    definition: {
      name: 'Offboard an employee',
      category: 'leaver',
      trigger: leave(0, '24:00'),
      tasks: [
        { task: 'disableUserAccount' },
        { task: 'removeUserFromAllGroups', continueOnError: true },
        { task: 'sendEmailOnUsersLastDay', continueOnError: true },
      ],
    },
  },
  {
    id: 'postOffboardingEmployee',
    entraTemplate: 'Post-Offboarding of an employee',
    description: 'A week after the last day: tell the manager, then delete the account (soft, restorable).',
    needs: [],
    definition: {
      name: 'Post-offboarding of an employee',
      category: 'leaver',
      trigger: leave(7, '09:00'),
      tasks: [
        { task: 'sendEmailToManagerAfterLastDay', continueOnError: true },
        { task: 'removeUserFromAllGroups' },
        { task: 'deleteUserAccount' },
      ],
    },
  },
  {
    id: 'employeeGroupMembershipChange',
    entraTemplate: 'Employee group membership changes',
    description: 'When someone leaves one of the watched groups: tell their manager.',
    needs: ['scope.groupIds'],
    definition: {
      name: 'Employee group membership change',
      category: 'mover',
      scope: {},
      trigger: { type: 'membershipChange', changeType: 'remove' },
      tasks: [{ task: 'notifyManagerOfMove' }],
    },
  },
  {
    id: 'employeeJobProfileChange',
    entraTemplate: 'Employee job profile change',
    description: 'When department, title or manager changes: tell the manager what changed.',
    needs: [],
    definition: {
      name: 'Employee job profile change',
      category: 'mover',
      trigger: { type: 'attributeChange', triggerAttributes: ['department', 'title', 'managerId'] },
      tasks: [{ task: 'notifyManagerOfMove' }],
    },
  },
];

export function findTemplate(id: string): WorkflowTemplate | undefined {
  return templates.find((t) => t.id.toLowerCase() === id.toLowerCase());
}

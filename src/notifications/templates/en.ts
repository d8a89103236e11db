import type { LocaleTexts } from './types.ts';

export const en: LocaleTexts = {
  empty: '(empty)',
  templates: {
    welcome: {
      subject: 'Welcome, {{user.givenName}}',
      body: `Hello {{user.displayName}},

Welcome aboard! Your account {{user.userName}} is ready for your first day, {{user.employeeHireDate}}.

Department: {{user.department}}
Title: {{user.title}}

We look forward to working with you.`,
    },
    onboardingReminder: {
      subject: 'Reminder: {{user.displayName}} starts on {{user.employeeHireDate}}',
      body: `Hello {{manager.displayName}},

A reminder that {{user.displayName}} joins your team on {{user.employeeHireDate}}. Their account is {{user.userName}}.

Please make sure their equipment, access and first-week plan are ready.`,
    },
    activationCode: {
      subject: 'Activate your account',
      body: `Hello {{user.displayName}},

Your activation code is: {{activation.code}}

Open {{activation.url}} and enter it with your user name, {{user.userName}}, to choose your password.

The code can be used from {{activation.validFrom}} until {{activation.expiresAt}}. Keep it to yourself: no one from IT will ever ask you for it.`,
    },
    activationConfirmed: {
      subject: 'Your account is active',
      body: `Hello {{user.displayName}},

Your account {{user.userName}} has been activated. If you did not do this yourself, contact your IT help desk at once.`,
    },
    managerUserMoved: {
      subject: '{{user.displayName}} has a new position',
      body: `Hello {{manager.displayName}},

The record of {{user.displayName}} ({{user.userName}}) has changed:

{{changes}}

Please review the access they need in their new position.`,
    },
    managerBeforeLastDay: {
      subject: "{{user.displayName}}'s last day is {{user.employeeLeaveDateTime}}",
      body: `Hello {{manager.displayName}},

{{user.displayName}} ({{user.userName}}) leaves on {{user.employeeLeaveDateTime}}.

Please arrange the hand-over of their work and files before then.`,
    },
    managerOnLastDay: {
      subject: "Today is {{user.displayName}}'s last day",
      body: `Hello {{manager.displayName}},

Today is the last day of {{user.displayName}} ({{user.userName}}). Their access ends on {{user.employeeLeaveDateTime}}.`,
    },
    managerAfterLastDay: {
      subject: '{{user.displayName}} has left',
      body: `Hello {{manager.displayName}},

{{user.displayName}} ({{user.userName}}) left on {{user.employeeLeaveDateTime}} and their account has been disabled.

Their mailbox and files will be removed according to your retention policy.`,
    },
  },
};

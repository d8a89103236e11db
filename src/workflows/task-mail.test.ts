import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskWorld, type Task, type TaskWorld } from '../../test/workflow-tasks.ts';
import type { WorkflowTestApp } from '../../test/workflows.ts';

/** The e-mail and activation-code tasks: who receives what, in which language, with which code. */
let world: TaskWorld;
let t: WorkflowTestApp;
let manager: { id: string; userName: string };

beforeAll(async () => {
  world = await createTaskWorld();
  ({ t, manager } = world);
});
afterAll(async () => {
  await t?.close();
});

const person = (extra?: Record<string, unknown>) => world.person(extra);
const runTasks = (category: 'joiner' | 'mover' | 'leaver', tasks: Task[], userId: string) =>
  world.runTasks(category, tasks, userId);
const mailsTo = (address: string) => world.mailsTo(address);

describe('activation codes', () => {
  const codeIn = (text: string) => /: ([A-Z0-9]{6,})\s/.exec(text)?.[1];

  it('sends the code to the personal address; the code activates with the activation API', async () => {
    const p = await person();
    const run = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' } }],
      p.id,
    );
    expect(run.status).toBe('completed');
    const n = p.userName.replace('@example.com', '');
    expect(run.tasks?.[0]?.result).toMatchObject({ sentTo: [`${n}@home.example`] });
    const mail = await t.smtp.waitFor((m) => m.to.includes(`${n}@home.example`));
    expect(mailsTo(manager.userName).filter((m) => m.text.includes(p.userName))).toEqual([]);
    expect(JSON.stringify(run)).not.toContain(codeIn(mail.text) as string);
    const code = codeIn(mail.text);
    expect(code).toBeDefined();
    const verify = await t.call('POST', '/api/v1/activation/verify', {
      body: { userName: p.userName, code, fact: `T${n.replace('person', '')}` },
    });
    expect(verify.status, await verify.clone().text()).toBe(200);
  });

  it('sends the code to the manager only, or to both with the same code', async () => {
    const toManager = await person({ displayName: 'Manager Only Starter' });
    const managerRun = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'manager' } }],
      toManager.id,
    );
    expect(managerRun.tasks?.[0]?.result).toMatchObject({ sentTo: [manager.userName] });
    const managerMail = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.text.includes('Manager Only Starter'),
    );
    expect(codeIn(managerMail.text)).toBeDefined();
    expect(mailsTo(toManager.userName.replace('@example.com', '@home.example'))).toEqual([]);

    const toBoth = await person({ displayName: 'Both Ways Starter' });
    const run = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'both' } }],
      toBoth.id,
    );
    expect(run.tasks?.[0]?.result).toMatchObject({
      sentTo: [manager.userName, toBoth.userName.replace('@example.com', '@home.example')],
    });
    const a = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.text.includes('Both Ways Starter'),
    );
    const b = await t.smtp.waitFor((m) =>
      m.to.includes(toBoth.userName.replace('@example.com', '@home.example')),
    );
    expect(codeIn(a.text)).toBe(codeIn(b.text));
  });

  it('fails the task when there is nobody to send the code to', async () => {
    const p = await person({ personalEmail: null });
    const run = await runTasks(
      'joiner',
      [{ task: 'generateActivationCode', arguments: { sendTo: 'personalEmail' } }],
      p.id,
    );
    expect(run.status).toBe('failed');
    expect(run.tasks?.[0]?.error).toMatchObject({ code: 'workflows.task_failed' });
    // No code was issued for nobody.
    const status = await t.api<{ code: unknown }>('GET', `/users/${p.id}/activation`);
    expect(status.body.code).toBeNull();
  });
});

describe('e-mail tasks', () => {
  it('the welcome goes to the person in their preferred language', async () => {
    const p = await person({ preferredLanguage: 'fr', givenName: 'Amélie' });
    const run = await runTasks('joiner', [{ task: 'sendWelcomeEmail' }], p.id);
    expect(run.status).toBe('completed');
    const mail = await t.smtp.waitFor((m) => m.to.includes(p.userName));
    expect(mail.subject).toBe('Bienvenue, Amélie');
  });

  it('a locale argument wins over the preferred language; cc receives a copy', async () => {
    const p = await person({ preferredLanguage: 'fr', givenName: 'Bruno' });
    await runTasks(
      'joiner',
      [{ task: 'sendWelcomeEmail', arguments: { locale: 'en', cc: ['hr.team@example.com'] } }],
      p.id,
    );
    const mail = await t.smtp.waitFor((m) => m.to.includes(p.userName));
    expect(mail.subject).toBe('Welcome, Bruno');
    await t.smtp.waitFor((m) => m.to.includes('hr.team@example.com') && m.subject === 'Welcome, Bruno');
  });

  it('a custom subject and body are filled in for the person', async () => {
    const p = await person({ givenName: 'Chidi', department: 'Philosophy' });
    await runTasks(
      'joiner',
      [
        {
          task: 'sendWelcomeEmail',
          arguments: {
            subject: 'Hi {{user.givenName}}, welcome to {{user.department}}',
            body: 'Your manager is {{manager.displayName}}.',
          },
        },
      ],
      p.id,
    );
    const mail = await t.smtp.waitFor((m) => m.to.includes(p.userName));
    expect(mail.subject).toBe('Hi Chidi, welcome to Philosophy');
    expect(mail.text.trim()).toBe('Your manager is Maya Manager.');
  });

  it('the onboarding reminder goes to the manager', async () => {
    const p = await person({ displayName: 'Reminder Starter', employeeHireDate: '2026-05-11' });
    const run = await runTasks('joiner', [{ task: 'sendOnboardingReminderEmail' }], p.id);
    expect(run.tasks?.[0]?.result).toMatchObject({ to: [manager.userName] });
    const mail = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.text.includes('Reminder Starter'),
    );
    expect(mail.to).toEqual([manager.userName]);
    expect(mailsTo(p.userName)).toEqual([]);
  });

  it("the last-day e-mails go to the manager, with the task's locale and custom subject", async () => {
    const p = await person({ displayName: 'Leaving Person', employeeLeaveDateTime: '2026-05-29' });
    const run = await runTasks(
      'leaver',
      [
        { task: 'sendEmailToManagerBeforeLastDay' },
        { task: 'sendEmailOnUsersLastDay', arguments: { locale: 'fr' } },
        {
          task: 'sendEmailToManagerAfterLastDay',
          arguments: { subject: 'Goodbye from {{user.displayName}}' },
        },
      ],
      p.id,
    );
    expect(run.status).toBe('completed');
    const before = await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.subject === "Leaving Person's last day is May 29, 2026",
    );
    expect(before.text).toContain('Hello Maya Manager');
    await t.smtp.waitFor(
      (m) =>
        m.to.includes(manager.userName) &&
        m.subject === "C'est aujourd'hui le dernier jour de Leaving Person",
    );
    await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.subject === 'Goodbye from Leaving Person',
    );
    expect(mailsTo(p.userName)).toEqual([]);
  });

  it("an e-mail to the manager is in the manager's language, not the person's", async () => {
    const french = await t.person({
      userName: 'francoise.manager@example.com',
      displayName: 'Françoise Manager',
      emails: [{ value: 'francoise.manager@example.com', primary: true }],
      preferredLanguage: 'fr',
    });
    const english = await person({
      displayName: 'Edward English',
      preferredLanguage: 'en',
      managerId: french.id,
    });
    const french2 = await person({ displayName: 'Fabienne French', preferredLanguage: 'fr' });
    await runTasks('leaver', [{ task: 'sendEmailOnUsersLastDay' }], english.id);
    await runTasks('leaver', [{ task: 'sendEmailOnUsersLastDay' }], french2.id);
    await t.smtp.waitFor(
      (m) =>
        m.to.includes(french.userName) && m.subject === "C'est aujourd'hui le dernier jour de Edward English",
    );
    await t.smtp.waitFor(
      (m) => m.to.includes(manager.userName) && m.subject === "Today is Fabienne French's last day",
    );
  });

  it('a manager e-mail for someone without a manager fails the task', async () => {
    const p = await person({ managerId: null });
    const run = await runTasks('leaver', [{ task: 'sendEmailOnUsersLastDay' }], p.id);
    expect(run.status).toBe('failed');
    expect(String(run.tasks?.[0]?.error?.message)).toMatch(/no manager/);
  });
});

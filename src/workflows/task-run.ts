import { type Failure, failure, type RequestContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import type { User } from '../directory/index.ts';
import type { EmailMessage, EmailVars } from '../notifications/index.ts';
import type { TaskDefinition } from './definition.ts';
import { changesFor, emailPerson, type Subject, workEmail } from './subject.ts';
import { runDirectoryTask } from './task-directory.ts';
import {
  type ActivationCodeArguments,
  type EmailArguments,
  type EmailTaskName,
  emailTasks,
} from './tasks.ts';
import type { WorkflowsDeps } from './types.ts';

export type TaskOutcome =
  | { kind: 'completed'; result: Record<string, unknown> }
  | { kind: 'failed'; error: Failure };

export interface TaskContext {
  runId: string;
  occurrence: string;
  subject: Subject;
}

const done = (result: Record<string, unknown> = {}): TaskOutcome => ({ kind: 'completed', result });
const failed = (error: Failure): TaskOutcome => ({ kind: 'failed', error });
const taskFailed = (message: string, details?: Record<string, unknown>) =>
  failed(failure('workflows.task_failed', message, details));

/**
 * A built-in task, inside the transaction that records its result: the effect and the record of it
 * commit together, so a retry after a crash never acts twice. Custom task extensions (HTTP) are run by
 * the executor itself, outside any transaction.
 */
export async function runBuiltInTask(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  task: TaskDefinition,
  run: TaskContext,
): Promise<TaskOutcome> {
  const { user } = run.subject;
  switch (task.task) {
    case 'enableUserAccount':
    case 'disableUserAccount':
    case 'deleteUserAccount':
    case 'addUserToGroups':
    case 'removeUserFromSelectedGroups':
    case 'removeUserFromAllGroups': {
      const outcome = (await runDirectoryTask(deps, tx, ctx, task, [user.id])).get(user.id);
      return outcome ?? taskFailed(`${task.task} gave no outcome for ${user.id}`);
    }
    case 'generateActivationCode':
      return activationCode(deps, tx, ctx, task.arguments as ActivationCodeArguments, run);
    case 'runCustomTaskExtension':
      return taskFailed('custom task extensions are run by the executor');
    default:
      return email(deps, tx, ctx, task.task, task.arguments as EmailArguments, run);
  }
}

/** `reader`: whose preferredLanguage the mail is in when the task names no locale (the recipient's). */
function message(
  args: EmailArguments,
  to: string,
  template: EmailMessage['template'],
  vars: EmailVars,
  run: TaskContext,
  purpose: string,
  reader: User,
): EmailMessage {
  return {
    to,
    template: args.subject && args.body ? 'custom' : template,
    vars,
    locale: args.locale ?? reader.preferredLanguage,
    ...(args.subject ? { subject: args.subject } : {}),
    ...(args.body ? { body: args.body } : {}),
    purpose,
    userId: run.subject.user.id,
    runId: run.runId,
  };
}

async function queue(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  messages: EmailMessage[],
  result: Record<string, unknown>,
) {
  const queued = await deps.mailer.queue(tx, ctx, messages);
  return queued.ok ? done({ ...result, deliveries: queued.value }) : failed(queued.error);
}

async function email(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  name: EmailTaskName,
  args: EmailArguments,
  run: TaskContext,
): Promise<TaskOutcome> {
  const spec = emailTasks[name];
  const { user, manager } = run.subject;
  const to =
    spec.to === 'manager' ? (manager ? workEmail(manager) : null) : (workEmail(user) ?? user.personalEmail);
  if (!to)
    return taskFailed(
      spec.to === 'manager'
        ? `${user.userName} has no manager with an e-mail address`
        : `${user.userName} has no work or personal e-mail address`,
      { userId: user.id },
    );
  const vars: EmailVars = {
    user: emailPerson(user),
    manager: manager ? emailPerson(manager) : null,
    ...(name === 'notifyManagerOfMove' ? { changes: await changesFor(tx, user.id, run.occurrence) } : {}),
  };
  const reader = spec.to === 'manager' && manager ? manager : user;
  const messages = [to, ...args.cc].map((address) =>
    message(args, address, spec.template, vars, run, name, reader),
  );
  return queue(deps, tx, ctx, messages, { to: [to, ...args.cc] });
}

async function activationCode(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  args: ActivationCodeArguments,
  run: TaskContext,
): Promise<TaskOutcome> {
  const { user, manager } = run.subject;
  const recipients: string[] = [];
  const readers: User[] = [];
  const managerMail = manager ? workEmail(manager) : null;
  if ((args.sendTo === 'manager' || args.sendTo === 'both') && manager && managerMail) {
    recipients.push(managerMail);
    readers.push(manager);
  }
  if ((args.sendTo === 'personalEmail' || args.sendTo === 'both') && user.personalEmail) {
    recipients.push(user.personalEmail);
    readers.push(user);
  }
  if (recipients.length === 0)
    return taskFailed(
      args.sendTo === 'manager'
        ? `${user.userName} has no manager with an e-mail address to send the activation code to`
        : args.sendTo === 'personalEmail'
          ? `${user.userName} has no personal e-mail address to send the activation code to`
          : `${user.userName} has neither a personal e-mail address nor a manager with one`,
      { userId: user.id, sendTo: args.sendTo },
    );
  const issued = await deps.activation.issueCode(tx, ctx, user.id);
  if (!issued.ok) return failed(issued.error);
  const { code, url, validFrom, expiresAt, codeId } = issued.value;
  const vars: EmailVars = {
    user: emailPerson(user),
    manager: manager ? emailPerson(manager) : null,
    activation: { code, url, validFrom, expiresAt },
  };
  // Copies (cc) are in the language of the first recipient.
  const messages = [...recipients, ...args.cc].map((to, n) =>
    message(args, to, 'activationCode', vars, run, 'activationCode', readers[n] ?? (readers[0] as User)),
  );
  // The result names the code and where it went, never the code itself.
  return queue(deps, tx, ctx, messages, {
    codeId,
    validFrom,
    expiresAt,
    sentTo: [...recipients, ...args.cc],
  });
}

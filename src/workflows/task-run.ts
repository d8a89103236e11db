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
    case 'runCustomTaskExtension':
      return taskFailed('custom task extensions are run by the executor');
    default: {
      const outcome = (await runMailTasks(deps, tx, ctx, task, [run])).get(run.runId);
      return outcome ?? taskFailed(`${task.task} gave no outcome for ${user.id}`);
    }
  }
}

/** A mail task's messages before they are queued, or why it cannot send any. */
type Prepared = { kind: 'queue'; messages: EmailMessage[]; result: Record<string, unknown> } | TaskOutcome;

/**
 * An e-mail or activation-code task for many runs in one transaction (a single run is a batch of
 * one): each run's messages are prepared (a run without an address fails alone, before anything is
 * written for it), then every message is queued with one insert. A message the mailer refuses throws:
 * the caller rolls the batch back and runs each task on its own, so the refusal is that run's.
 */
export async function runMailTasks(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  task: TaskDefinition,
  runs: readonly TaskContext[],
): Promise<Map<string, TaskOutcome>> {
  const out = new Map<string, TaskOutcome>();
  const ready: { runId: string; messages: EmailMessage[]; result: Record<string, unknown> }[] = [];
  const prepared =
    task.task === 'generateActivationCode'
      ? await activationCodes(deps, tx, ctx, task.arguments as ActivationCodeArguments, runs)
      : new Map<string, Prepared>();
  for (const run of runs) {
    const p =
      prepared.get(run.runId) ??
      (await email(tx, task.task as EmailTaskName, task.arguments as EmailArguments, run));
    if (p.kind === 'queue') ready.push({ runId: run.runId, ...p });
    else out.set(run.runId, p);
  }
  const all = ready.flatMap((r) => r.messages);
  const queued = await deps.mailer.queue(tx, ctx, all);
  if (!queued.ok) {
    if (runs.length > 1) throw new Error(`a message of the batch was refused: ${queued.error.message}`);
    for (const r of ready) out.set(r.runId, failed(queued.error));
    return out;
  }
  let next = 0;
  for (const r of ready) {
    const deliveries = queued.value.slice(next, next + r.messages.length);
    next += r.messages.length;
    out.set(r.runId, done({ ...r.result, deliveries }));
  }
  return out;
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

async function email(tx: Tx, name: EmailTaskName, args: EmailArguments, run: TaskContext): Promise<Prepared> {
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
  return { kind: 'queue', messages, result: { to: [to, ...args.cc] } };
}

/** Who receives a person's activation code, and in whose language; or why nobody can. */
function codeRecipients(args: ActivationCodeArguments, run: TaskContext) {
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
  if (recipients.length > 0) return { recipients, readers };
  return taskFailed(
    args.sendTo === 'manager'
      ? `${user.userName} has no manager with an e-mail address to send the activation code to`
      : args.sendTo === 'personalEmail'
        ? `${user.userName} has no personal e-mail address to send the activation code to`
        : `${user.userName} has neither a personal e-mail address nor a manager with one`,
    { userId: user.id, sendTo: args.sendTo },
  );
}

/** Codes for every run whose person has somewhere to receive one, issued together; by run id. */
async function activationCodes(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  args: ActivationCodeArguments,
  runs: readonly TaskContext[],
): Promise<Map<string, Prepared>> {
  const out = new Map<string, Prepared>();
  const sending: { run: TaskContext; recipients: string[]; readers: User[] }[] = [];
  for (const run of runs) {
    const to = codeRecipients(args, run);
    if ('kind' in to) out.set(run.runId, to);
    else sending.push({ run, ...to });
  }
  const issued = await deps.activation.issueCodes(
    tx,
    ctx,
    sending.map((s) => s.run.subject.user.id),
  );
  for (const { run, recipients, readers } of sending) {
    const { user, manager } = run.subject;
    const code = issued.get(user.id);
    if (!code) throw new Error(`no activation code was issued for ${user.id}`);
    if (!code.ok) {
      out.set(run.runId, failed(code.error));
      continue;
    }
    const { url, validFrom, expiresAt, codeId } = code.value;
    const vars: EmailVars = {
      user: emailPerson(user),
      manager: manager ? emailPerson(manager) : null,
      activation: { code: code.value.code, url, validFrom, expiresAt },
    };
    // Copies (cc) are in the language of the first recipient.
    const messages = [...recipients, ...args.cc].map((to, n) =>
      message(args, to, 'activationCode', vars, run, 'activationCode', readers[n] ?? (readers[0] as User)),
    );
    // The result names the code and where it went, never the code itself.
    out.set(run.runId, {
      kind: 'queue',
      messages,
      result: { codeId, validFrom, expiresAt, sentTo: [...recipients, ...args.cc] },
    });
  }
  return out;
}

import { createHash, randomBytes } from 'node:crypto';
import { failure } from '../core/index.ts';
import type { TaskDefinition, WorkflowDefinition } from './definition.ts';
import { callExtension } from './extension-call.ts';
import { loadExtension } from './extensions.ts';
import type { Subject } from './subject.ts';
import { workEmail } from './subject.ts';
import { advance, type ClaimedRun, holdRun, recordFailure, writeTask } from './task-record.ts';
import type { WorkflowsDeps } from './types.ts';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface ExtensionStep {
  run: ClaimedRun;
  position: number;
  task: TaskDefinition;
  taskCount: number;
  subject: Subject;
  version: { name: string; definition: Omit<WorkflowDefinition, 'enabled'> };
}

/**
 * A custom task extension: the HTTP call happens outside any transaction (a slow endpoint must not
 * hold a database connection). launchAndWait first stores a single-use callback token, so the endpoint
 * may call back even before the call returns. The call carries an idempotency key (run and task): a
 * crash between the call and its record repeats the call once, with the same key.
 */
export async function runExtensionTask(deps: WorkflowsDeps, step: ExtensionStep): Promise<'next' | 'stop'> {
  const { run, position, task, taskCount, subject, version } = step;
  const extensionId = String(task.arguments.extensionId);
  const extension = await loadExtension(deps, extensionId);
  const fail = async (message: string, retryable: boolean, details?: Record<string, unknown>) => {
    const next = await recordFailure(
      deps,
      run,
      position,
      taskCount,
      task,
      failure('workflows.task_failed', message, details),
      retryable,
    );
    return next === 'next' ? ('next' as const) : ('stop' as const);
  };
  if (!extension)
    return fail(`custom task extension ${extensionId} no longer exists`, false, { extensionId });

  let callback: { url: string; expiresAt: string } | null = null;
  if (extension.mode === 'launchAndWait') {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(deps.clock.now().getTime() + extension.callbackTimeoutMinutes * 60_000);
    const stored = await deps.db.transaction().execute(async (tx) => {
      if (!(await holdRun(tx, run.id, position))) return false;
      // A token from an attempt that crashed before its record is replaced: only the newest one works.
      await tx
        .deleteFrom('workflow_callbacks')
        .where('run_id', '=', run.id)
        .where('position', '=', position)
        .where('used_at', 'is', null)
        .execute();
      await tx
        .insertInto('workflow_callbacks')
        .values({ token_hash: hashToken(token), run_id: run.id, position, expires_at: expiresAt })
        .execute();
      await writeTask(tx, deps, run.id, position, task.task, 'running', { countAttempt: false });
      return true;
    });
    if (!stored) return 'stop';
    callback = {
      url: `${deps.settings.publicUrl().replace(/\/$/, '')}/api/v1/workflows/callbacks/${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  const { user } = subject;
  const outcome = await callExtension(
    extension,
    {
      id: `${run.id}:${position}`,
      workflow: {
        id: run.workflowId,
        name: version.name,
        version: run.version,
        category: version.definition.category,
      },
      run: { id: run.id },
      task: { position, displayName: task.displayName },
      subject: {
        id: user.id,
        userName: user.userName,
        displayName: user.displayName,
        mail: workEmail(user),
        employeeId: user.employeeId,
        department: user.department,
        title: user.title,
        managerId: user.managerId,
      },
      callback,
    },
    deps.clock.now(),
    deps.fetch ?? fetch,
  );
  if (!outcome.ok) {
    const next = await recordFailure(deps, run, position, taskCount, task, outcome.error, outcome.retryable);
    return next === 'next' ? 'next' : 'stop';
  }
  return deps.db.transaction().execute(async (tx) => {
    const held = await holdRun(tx, run.id, position);
    // Not ours any more: the callback already came and moved the run on.
    if (!held) return 'stop' as const;
    if (extension.mode === 'launchAndContinue') {
      const step = await advance(
        tx,
        deps,
        run,
        position,
        taskCount,
        task.task,
        {
          status: 'completed',
          result: { extensionId, status: outcome.status },
        },
        { runError: held.error },
      );
      return step === 'next' ? ('next' as const) : ('stop' as const);
    }
    await writeTask(tx, deps, run.id, position, task.task, 'waiting', {
      result: { extensionId, status: outcome.status, callbackExpiresAt: callback?.expiresAt },
      countAttempt: true,
    });
    await tx
      .updateTable('workflow_runs')
      .set({ status: 'waiting', claimed_until: null })
      .where('id', '=', run.id)
      .execute();
    return 'stop' as const;
  });
}

import { err, type RequestContext } from '../core/index.ts';
import type { StoredEvent } from '../events/index.ts';
import { type CallbackBody, expireCallbacks, resumeFromCallback } from './callbacks.ts';
import { createExecutor } from './executor.ts';
import { createExtension, getExtension, listExtensions, updateExtension } from './extensions.ts';
import { cancelRun, getRun, listRuns, type RunQuery, retryRun } from './runs.ts';
import { schedulerPass } from './scheduler.ts';
import { recordSignIns } from './sign-ins.ts';
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listVersions,
  listWorkflows,
  setEnabled,
  updateWorkflow,
  workflowExists,
  workflowNotFound,
} from './store.ts';
import { taskCatalog } from './tasks.ts';
import { templates } from './templates.ts';
import { activate, handleEvents } from './triggers.ts';
import type { WorkflowsDeps } from './types.ts';

export { callbackBodySchema } from './callbacks.ts';
export type { TaskDefinition, Trigger, WorkflowDefinition, WorkflowInput } from './definition.ts';
export { sign as signExtensionRequest } from './extension-call.ts';
export { type Extension, extensionSchema } from './extensions.ts';
export { EXECUTE_QUEUE, PASS_QUEUE } from './queues.ts';
export type { RunQuery, TaskResult, WorkflowRun } from './runs.ts';
export type { Workflow, WorkflowVersion } from './store.ts';
export { type TaskName, taskNames } from './tasks.ts';
export type { WorkflowTemplate } from './templates.ts';
export type { RunStatus, WorkflowSettings, WorkflowsDeps } from './types.ts';

/** Lifecycle workflows: definitions and versions, triggers, the scheduler, the executor and its tasks. */
export function createWorkflows(deps: WorkflowsDeps) {
  const executor = createExecutor(deps);
  return {
    templates: () => templates,
    tasks: () =>
      Object.entries(taskCatalog).map(([name, spec]) => ({
        name,
        description: spec.description,
        categories: spec.categories,
      })),
    create: (ctx: RequestContext, input: unknown) => createWorkflow(deps, ctx, input),
    update: (ctx: RequestContext, id: string, input: unknown, options?: { ifVersion?: number }) =>
      updateWorkflow(deps, ctx, id, input, options),
    setEnabled: (ctx: RequestContext, id: string, enabled: boolean) => setEnabled(deps, ctx, id, enabled),
    delete: (ctx: RequestContext, id: string) => deleteWorkflow(deps, ctx, id),
    get: (id: string) => getWorkflow(deps, id),
    list: (query: { category?: string } = {}) => listWorkflows(deps, query),
    versions: (id: string) => listVersions(deps, id),
    /** On-demand runs for chosen people. */
    activate: (ctx: RequestContext, id: string, userIds: readonly string[]) =>
      activate(deps, ctx, id, userIds),
    runs: (query: RunQuery) => listRuns(deps, query),
    /** One workflow's runs; 404 for a workflow that never existed (a deleted one's runs stay readable). */
    async workflowRuns(workflowId: string, query: Omit<RunQuery, 'workflowId'>) {
      if (!(await workflowExists(deps, workflowId))) return err(workflowNotFound(workflowId));
      return listRuns(deps, { ...query, workflowId });
    },
    run: (id: string) => getRun(deps, id),
    retryRun: (ctx: RequestContext, id: string) => retryRun(deps, ctx, id),
    cancelRun: (ctx: RequestContext, id: string) => cancelRun(deps, ctx, id),
    extensions: () => listExtensions(deps),
    extension: (id: string) => getExtension(deps, id),
    createExtension: (ctx: RequestContext, input: unknown) => createExtension(deps, ctx, input),
    updateExtension: (ctx: RequestContext, id: string, input: unknown) =>
      updateExtension(deps, ctx, id, input),
    callback: (token: string, body: CallbackBody) => resumeFromCallback(deps, token, body),
    recordSignIns: (signIns: readonly { userId: string; at: string }[]) => recordSignIns(deps, signIns),
    /** The scheduler job: time-based and inactivity runs, abandoned runs, callbacks that never came. */
    async pass() {
      const recovered = await executor.recoverAbandoned();
      const expired = await expireCallbacks(deps);
      const made = await schedulerPass(deps);
      return { ...made, recovered, expiredCallbacks: expired };
    },
    /** The executor job. */
    executeDue: () => executor.executeDue(),
    handleEvents: (events: readonly StoredEvent[]) => handleEvents(deps, events),
  };
}

export type Workflows = ReturnType<typeof createWorkflows>;

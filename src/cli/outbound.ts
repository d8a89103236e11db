import type { App } from '../app.ts';
import type { RequestContext } from '../core/index.ts';
import { print, readJson, report, withCliApp } from './session.ts';

/**
 * Runs one outbound command against the configured store, without HTTP server or workers. Commands that
 * queue work (start, reconcile) leave it to a running server's workers; plan, apply and provision do
 * their work in this process and print the result.
 */
const withOutbound = (fn: (app: App, ctx: RequestContext) => Promise<void>) => withCliApp(fn);

export const appsCommand = () =>
  withOutbound(async (app) => {
    print(await app.outbound.listApps());
  });

export const createAppCommand = (file: string) =>
  withOutbound(async (app, ctx) => {
    const result = await app.outbound.createApp(ctx, readJson(file));
    if (report(result)) print(result.value);
  });

export const assignCommand = (appId: string, options: { user?: string; group?: string; role?: string }) =>
  withOutbound(async (app, ctx) => {
    if (!options.user === !options.group) {
      process.stderr.write('joinery: give exactly one of --user <id> or --group <id>\n');
      process.exitCode = 2;
      return;
    }
    const result = await app.outbound.assign(ctx, appId, {
      principalType: options.user ? 'user' : 'group',
      principalId: options.user ?? options.group,
      ...(options.role ? { appRole: options.role } : {}),
    });
    if (report(result)) print(result.value);
  });

export const startCommand = (appId: string) =>
  withOutbound(async (app, ctx) => {
    const result = await app.outbound.startCycle(ctx, appId);
    if (report(result)) print({ ...result.value, note: 'queued: a running Joinery server exports it' });
  });

export const statusCommand = (appId: string) =>
  withOutbound(async (app) => {
    const result = await app.outbound.status(appId);
    if (report(result)) print(result.value);
  });

/** Computes the plan in this process and prints its summary and first actions. */
export const planCommand = (appId: string, options: { limit: string }) =>
  withOutbound(async (app, ctx) => {
    const started = await app.outbound.startPlan(ctx, appId);
    if (!report(started)) return;
    await app.outbound.computePlan(started.value.id);
    const view = await app.outbound.viewPlan(started.value.id, 0, Number(options.limit) || 50);
    if (report(view)) print(view.value);
  });

/** Checks the plan is still current and applies it in this process. */
export const applyCommand = (planId: string) =>
  withOutbound(async (app, ctx) => {
    const result = await app.outbound.applyPlan(ctx, planId);
    if (!report(result)) return;
    await app.outbound.executePlan(planId);
    const cycle = await app.outbound.getCycle(planId);
    if (report(cycle)) print(cycle.value);
  });

export const provisionCommand = (appId: string, options: { user?: string; group?: string }) =>
  withOutbound(async (app) => {
    const id = options.user ?? options.group;
    if (!id || (options.user && options.group)) {
      process.stderr.write('joinery: give exactly one of --user <id> or --group <id>\n');
      process.exitCode = 2;
      return;
    }
    const result = await app.outbound.provisionOnDemand(appId, options.user ? 'user' : 'group', id);
    if (report(result)) {
      print(result.value);
      if (result.value.status === 'failure') process.exitCode = 1;
    }
  });

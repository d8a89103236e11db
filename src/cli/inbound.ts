import { readFileSync } from 'node:fs';
import type { App } from '../app.ts';
import type { RequestContext } from '../core/index.ts';
import { print, report, withCliApp } from './session.ts';

/**
 * Runs one inbound command against the configured store with no HTTP server and no background workers:
 * the command drains what it stored itself, so results print when it returns. (On PostgreSQL a running
 * server may drain first; the per-source lock keeps that safe.)
 */
const withInbound = (fn: (app: App, ctx: RequestContext) => Promise<void>) =>
  withCliApp(fn, (app, ctx) => app.inbound.ensureDefaultSource(ctx));

async function finish(app: App, sourceId: string, runId: string): Promise<void> {
  await app.inbound.drain(sourceId);
  const run = await app.inbound.getRun(runId, { limit: 0 });
  if (report(run)) {
    const { operations: _ops, ...summary } = run.value;
    print(summary);
  }
}

export async function importCommand(
  file: string,
  options: { source: string; dryRun?: boolean },
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(`joinery: cannot read ${file}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  await withInbound(async (app, ctx) => {
    const run = await app.inbound.importCsv(ctx, options.source, text, { dryRun: options.dryRun ?? false });
    if (report(run)) await finish(app, options.source, run.value.id);
  });
}

export async function pullCommand(options: { source: string; dryRun?: boolean }): Promise<void> {
  await withInbound(async (app, ctx) => {
    const run = await app.inbound.pull(ctx, options.source, { dryRun: options.dryRun ?? false });
    if (report(run)) await finish(app, options.source, run.value.id);
  });
}

export async function runDecisionCommand(
  action: 'apply' | 'approve' | 'reject',
  runId: string,
): Promise<void> {
  await withInbound(async (app, ctx) => {
    const result =
      action === 'apply'
        ? await app.inbound.applyPlan(ctx, runId)
        : action === 'approve'
          ? await app.inbound.approveRun(ctx, runId)
          : await app.inbound.rejectRun(ctx, runId);
    if (!report(result)) return;
    if (action === 'approve') await finish(app, result.value.sourceId, runId);
    else print(result.value);
  });
}

export async function sourcesCommand(): Promise<void> {
  await withInbound(async (app) => {
    print(await app.inbound.listSources());
  });
}

export async function mappingTestCommand(
  file: string,
  options: { source: string; format?: string },
): Promise<void> {
  let record: unknown;
  try {
    record = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`joinery: ${file} is not a readable JSON record: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    process.stderr.write(`joinery: ${file} must hold one JSON object (a record)\n`);
    process.exit(2);
  }
  if (options.format !== undefined && options.format !== 'scim' && options.format !== 'flat') {
    process.stderr.write('joinery: --format must be scim or flat\n');
    process.exit(2);
  }
  await withInbound(async (app) => {
    const result = await app.inbound.testMapping({
      sourceId: options.source,
      record: record as Record<string, unknown>,
      ...(options.format ? { format: options.format as 'scim' | 'flat' } : {}),
    });
    if (report(result)) print(result.value);
  });
}

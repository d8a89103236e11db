import type { Command } from 'commander';
import type { RunStatus } from '../workflows/index.ts';

/**
 * `joinery workflows ...`: definitions, on-demand runs, run history, and a scheduler pass now. The
 * modules load only when a command runs (as for every command in main.ts).
 */
export function registerWorkflowCommands(program: Command): void {
  const workflows = program.command('workflows').description('lifecycle workflows (joiner, mover, leaver)');
  const session = () => import('./session.ts');

  workflows
    .command('list')
    .description('the workflows, with their current version')
    .action(async () => {
      const { print, withCliApp } = await session();
      await withCliApp(async (app) => {
        print(await app.workflows.list());
      });
    });
  workflows
    .command('templates')
    .description("ready definitions equivalent to Entra's ten templates")
    .action(async () => {
      const { print, withCliApp } = await session();
      await withCliApp(async (app) => {
        print(app.workflows.templates());
      });
    });
  workflows
    .command('create <file>')
    .description('create a workflow from a JSON definition (or { "template": id, ...overrides })')
    .action(async (file: string) => {
      const { print, readJson, report, withCliApp } = await session();
      await withCliApp(async (app, ctx) => {
        const r = await app.workflows.create(ctx, readJson(file));
        if (report(r)) print(r.value);
      });
    });
  workflows
    .command('update <id> <file>')
    .description('replace a definition: a new version')
    .action(async (id: string, file: string) => {
      const { print, readJson, report, withCliApp } = await session();
      await withCliApp(async (app, ctx) => {
        const r = await app.workflows.update(ctx, id, readJson(file));
        if (report(r)) print(r.value);
      });
    });
  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    workflows
      .command(`${name} <id>`)
      .description(`${name} a workflow (not a new version)`)
      .action(async (id: string) => {
        const { print, report, withCliApp } = await session();
        await withCliApp(async (app, ctx) => {
          const r = await app.workflows.setEnabled(ctx, id, enabled);
          if (report(r)) print(r.value);
        });
      });
  workflows
    .command('run <id>')
    .description('run a workflow now for chosen people, whatever its trigger (a running server executes it)')
    .requiredOption('--user <ids...>', 'user ids')
    .action(async (id: string, options: { user: string[] }) => {
      const { print, report, withCliApp } = await session();
      await withCliApp(async (app, ctx) => {
        const r = await app.workflows.activate(ctx, id, options.user);
        if (report(r)) print(r.value);
      });
    });
  workflows
    .command('runs')
    .description('runs, newest first')
    .option('--workflow <id>', 'only this workflow')
    .option('--user <id>', 'only this person')
    .option(
      '--status <status>',
      'queued, running, waiting, completed, completedWithErrors, failed or cancelled',
    )
    .option('--limit <n>', 'how many', '50')
    .action(async (options: { workflow?: string; user?: string; status?: RunStatus; limit: string }) => {
      const { print, report, withCliApp } = await session();
      await withCliApp(async (app) => {
        const r = await app.workflows.runs({
          ...(options.workflow ? { workflowId: options.workflow } : {}),
          ...(options.user ? { userId: options.user } : {}),
          ...(options.status ? { status: options.status } : {}),
          limit: Math.max(1, Math.min(1000, Number(options.limit) || 50)),
        });
        if (report(r)) print(r.value);
      });
    });
  workflows
    .command('show-run <runId>')
    .description('one run with the result of each task')
    .action(async (runId: string) => {
      const { print, report, withCliApp } = await session();
      await withCliApp(async (app) => {
        const r = await app.workflows.run(runId);
        if (report(r)) print(r.value);
      });
    });
  workflows
    .command('retry <runId>')
    .description('retry a failed run from the task that failed')
    .action(async (runId: string) => {
      const { print, report, withCliApp } = await session();
      await withCliApp(async (app, ctx) => {
        const r = await app.workflows.retryRun(ctx, runId);
        if (report(r)) print(r.value);
      });
    });
  workflows
    .command('pass')
    .description('run a scheduler pass now in this process and execute the runs it makes')
    .action(async () => {
      const { print, withCliApp } = await session();
      await withCliApp(async (app) => {
        const pass = await app.workflows.pass();
        const executed = await app.workflows.executeDue();
        print({ ...pass, executed });
      });
    });
}

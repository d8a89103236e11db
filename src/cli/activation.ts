import type { Command } from 'commander';
import type { App } from '../app.ts';
import type { RequestContext, Result } from '../core/index.ts';

type Action = (app: App, ctx: RequestContext, userId: string) => Promise<Result<unknown>>;

const actions: Record<'status' | 'issue' | 'revoke', { description: string; run: Action }> = {
  status: {
    description: "a person's activation: activated or not, their latest code's state, any lockout",
    run: (app, _ctx, userId) => app.activation.status(userId),
  },
  issue: {
    description: 'issue a new code (revoking the live one) and print it once',
    run: (app, ctx, userId) => app.activation.reissue(ctx, userId),
  },
  revoke: {
    description: "revoke the person's live code",
    run: (app, ctx, userId) => app.activation.revoke(ctx, userId),
  },
};

/**
 * `joinery activation status|issue|revoke --user <id>`. The modules load only when a command runs (as
 * for every command in main.ts), so registering these costs nothing at start-up.
 */
export function registerActivationCommands(program: Command): void {
  const activation = program.command('activation').description('day-1 activation codes');
  for (const [name, { description, run }] of Object.entries(actions)) {
    activation
      .command(name)
      .description(description)
      .requiredOption('--user <id>', 'user id')
      .action(async (options: { user: string }) => {
        const { print, report, withCliApp } = await import('./session.ts');
        await withCliApp(async (app, ctx) => {
          const result = await run(app, ctx, options.user);
          if (report(result)) print(result.value);
        });
      });
  }
}

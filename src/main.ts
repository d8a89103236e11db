import { Command } from 'commander';
import { registerActivationCommands } from './cli/activation.ts';
import { registerWorkflowCommands } from './cli/workflows.ts';
import { VERSION } from './core/index.ts';

// Commands load their modules only when they run, so `--help`, bad arguments and configuration errors
// answer at once instead of after loading the database drivers.
const server = (mode: 'all' | 'serve' | 'work') => async () => (await import('./cli/run.ts')).runServer(mode);
const admin = async () => import('./cli/admin.ts');

const program = new Command();
program
  .name('joinery')
  .description(
    'Joinery: identity lifecycle and governance. Settings come from JOINERY_* variables and DATABASE_URL.',
  )
  .version(VERSION);

program
  .command('start')
  .description('run the HTTP server and the workers in one process (default)')
  .action(server('all'));
program.command('serve').description('run only the HTTP server').action(server('serve'));
program
  .command('work')
  .description('run only the workers (jobs, schedules, event dispatch)')
  .action(server('work'));
program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => (await admin()).migrateCommand());

const token = program.command('token').description('manage API tokens');
token
  .command('create')
  .description('create an API token and print it once')
  .requiredOption('--name <name>', 'what the token is for')
  .option(
    '--scope <scope...>',
    'scopes: admin, directory.read, directory.write, scim, inbound.upload, audit.read',
    ['admin'],
  )
  .action(async (options: { name: string; scope: string[] }) => (await admin()).tokenCreate(options));
token
  .command('list')
  .description('list tokens (never their secrets)')
  .action(async () => (await admin()).tokenList());
token
  .command('revoke')
  .description('revoke a token by id')
  .argument('<id>')
  .action(async (id: string) => (await admin()).tokenRevoke(id));

const user = program.command('user').description('read the directory');
user
  .command('get')
  .description('show one user by id or userName')
  .argument('<idOrUserName>')
  .action(async (idOrUserName: string) => (await admin()).userGet(idOrUserName));
user
  .command('list')
  .description('list users')
  .option('--limit <n>', 'page size', '50')
  .option('--search <prefix>', 'userName or displayName prefix')
  .option('--cursor <cursor>', 'nextCursor of the previous page')
  .action(async (options: { limit: string; search?: string; cursor?: string }) =>
    (await admin()).userList(options),
  );

const inbound = async () => import('./cli/inbound.ts');
const inboundCommand = program.command('inbound').description('HR sources: import, pull, plans, held runs');
inboundCommand
  .command('sources')
  .description('list HR sources (credentials redacted)')
  .action(async () => (await inbound()).sourcesCommand());
inboundCommand
  .command('import')
  .description('import a CSV file into a csv source and print the run summary')
  .requiredOption('--source <id>', 'the csv source')
  .option('--dry-run', 'make a plan (nothing applied); apply it later with `inbound apply <run>`')
  .argument('<file>')
  .action(async (file: string, options: { source: string; dryRun?: boolean }) =>
    (await inbound()).importCommand(file, options),
  );
inboundCommand
  .command('pull')
  .description('pull a scim-pull or http-json-pull source now')
  .requiredOption('--source <id>', 'the pull source')
  .option('--dry-run', 'make a plan (nothing applied)')
  .action(async (options: { source: string; dryRun?: boolean }) => (await inbound()).pullCommand(options));
for (const [name, description] of [
  ['apply', 'apply a preview run exactly as planned'],
  ['approve', 'let a run held by the deletion threshold proceed'],
  ['reject', 'reject a run held by the deletion threshold'],
] as const) {
  inboundCommand
    .command(name)
    .description(description)
    .argument('<run>', 'run id')
    .action(async (run: string) => (await inbound()).runDecisionCommand(name, run));
}
const outbound = async () => import('./cli/outbound.ts');
const outboundCommand = program
  .command('outbound')
  .description('applications: create, assign, cycles, plans, provision on demand');
outboundCommand
  .command('apps')
  .description('list applications (credentials redacted)')
  .action(async () => (await outbound()).appsCommand());
outboundCommand
  .command('create')
  .description('create an application from a JSON definition file')
  .argument('<file>')
  .action(async (file: string) => (await outbound()).createAppCommand(file));
outboundCommand
  .command('assign')
  .description('assign a user or a group to an application')
  .argument('<app>', 'application id')
  .option('--user <id>', 'user id')
  .option('--group <id>', 'group id')
  .option('--role <role>', 'app role')
  .action(async (app: string, options: { user?: string; group?: string; role?: string }) =>
    (await outbound()).assignCommand(app, options),
  );
outboundCommand
  .command('start')
  .description('queue a full cycle (a running server exports it); lifts a quarantine')
  .argument('<app>', 'application id')
  .action(async (app: string) => (await outbound()).startCommand(app));
outboundCommand
  .command('status')
  .description("an application's state, pending and escrowed objects, links and last cycle")
  .argument('<app>', 'application id')
  .action(async (app: string) => (await outbound()).statusCommand(app));
outboundCommand
  .command('plan')
  .description('dry run over the whole population; prints the actions with diffs (nothing written)')
  .argument('<app>', 'application id')
  .option('--limit <n>', 'actions to print', '50')
  .action(async (app: string, options: { limit: string }) => (await outbound()).planCommand(app, options));
outboundCommand
  .command('apply')
  .description('apply a plan exactly as computed (refused if anything changed since)')
  .argument('<plan>', 'plan id')
  .action(async (plan: string) => (await outbound()).applyCommand(plan));
outboundCommand
  .command('provision')
  .description('provision one user or group now and print the step trace')
  .argument('<app>', 'application id')
  .option('--user <id>', 'user id')
  .option('--group <id>', 'group id')
  .action(async (app: string, options: { user?: string; group?: string }) =>
    (await outbound()).provisionCommand(app, options),
  );
const mapping = program.command('mapping').description('attribute mappings');
mapping
  .command('test')
  .description("show what a source's mapping makes of a sample record (a JSON file); nothing is written")
  .requiredOption('--source <id>', 'the source whose mapping to use')
  .option(
    '--format <format>',
    'scim (bulkUpload records) or flat (CSV and pull records); default by source type',
  )
  .argument('<file>')
  .action(async (file: string, options: { source: string; format?: string }) =>
    (await inbound()).mappingTestCommand(file, options),
  );

registerActivationCommands(program);
registerWorkflowCommands(program);

await program.parseAsync(process.argv);

import { Command } from 'commander';
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

await program.parseAsync(process.argv);

import { Command } from 'commander';
import { VERSION } from './app.ts';
import { migrateCommand, tokenCreate, tokenList, tokenRevoke, userGet, userList } from './cli/admin.ts';
import { runServer } from './cli/run.ts';

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
  .action(() => runServer('all'));
program
  .command('serve')
  .description('run only the HTTP server')
  .action(() => runServer('serve'));
program
  .command('work')
  .description('run only the workers (jobs, schedules, event dispatch)')
  .action(() => runServer('work'));
program.command('migrate').description('apply pending database migrations and exit').action(migrateCommand);

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
  .action(tokenCreate);
token.command('list').description('list tokens (never their secrets)').action(tokenList);
token.command('revoke').description('revoke a token by id').argument('<id>').action(tokenRevoke);

const user = program.command('user').description('read the directory');
user.command('get').description('show one user by id or userName').argument('<idOrUserName>').action(userGet);
user
  .command('list')
  .description('list users')
  .option('--limit <n>', 'page size', '50')
  .option('--search <prefix>', 'userName or displayName prefix')
  .option('--cursor <cursor>', 'nextCursor of the previous page')
  .action(userList);

await program.parseAsync(process.argv);

import { userInfo } from 'node:os';
import { openConfiguredDatabase } from '../app.ts';
import { createToken, listTokens, revokeToken, type Scope, scopes } from '../auth/index.ts';
import type { Config } from '../config/index.ts';
import { type Actor, systemClock } from '../core/index.ts';
import { type Database, migrateToLatest } from '../db/index.ts';
import { createDirectory } from '../directory/index.ts';
import { configOrExit, fail } from './context.ts';

function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { type: 'user', id: null, name: `cli:${name}` };
}

/** Opens the configured store for one CLI command, migrated, and always closes it (freeing the lock). */
async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = configOrExit();
  let opened: Awaited<ReturnType<typeof openConfiguredDatabase>>;
  try {
    opened = await openConfiguredDatabase(config);
  } catch (error) {
    fail(error);
  }
  try {
    await migrateToLatest(opened.database.db as never);
    return await fn(opened.database, config);
  } finally {
    await opened.database.close();
    opened.lock?.release();
  }
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const ctx = () => ({ actor: cliActor(), correlationId: `cli-${Date.now()}` });

export async function migrateCommand(): Promise<void> {
  await withDatabase(async () => {
    process.stdout.write('migrations are up to date\n');
  });
}

export async function tokenCreate(options: { name: string; scope: string[] }): Promise<void> {
  const bad = options.scope.filter((s) => !(scopes as readonly string[]).includes(s));
  if (bad.length > 0 || options.scope.length === 0) {
    process.stderr.write(
      `joinery: --scope must be one or more of ${scopes.join(', ')} (got ${bad.join(', ') || 'none'})\n`,
    );
    process.exit(2);
  }
  await withDatabase(async (database) => {
    const { token, info } = await createToken({ db: database.db, clock: systemClock }, ctx(), {
      name: options.name,
      scopes: options.scope as Scope[],
    });
    process.stderr.write(`created token ${info.id} (${info.scopes.join(', ')}); it is shown once:\n`);
    process.stdout.write(`${token}\n`);
  });
}

export async function tokenList(): Promise<void> {
  await withDatabase(async (database) => print(await listTokens({ db: database.db, clock: systemClock })));
}

export async function tokenRevoke(id: string): Promise<void> {
  await withDatabase(async (database) => {
    const result = await revokeToken({ db: database.db, clock: systemClock }, ctx(), id);
    if (!result.ok) {
      process.stderr.write(`joinery: ${result.error.message}\n`);
      process.exitCode = 1;
      return;
    }
    print(result.value);
  });
}

function directoryOf(database: Database, config: Config) {
  return createDirectory({ db: database.db, clock: systemClock, retentionDays: config.deletedRetentionDays });
}

export async function userGet(idOrUserName: string): Promise<void> {
  await withDatabase(async (database, config) => {
    const directory = directoryOf(database, config);
    const byId = /^[0-9a-f-]{36}$/i.test(idOrUserName) ? await directory.getUser(idOrUserName) : null;
    if (byId?.ok) return print(byId.value);
    const list = await directory.listUsers({ userName: idOrUserName, limit: 1 });
    const user = list.ok ? list.value.items[0] : undefined;
    if (!user) {
      process.stderr.write(`joinery: no user with id or userName ${idOrUserName}\n`);
      process.exitCode = 1;
      return;
    }
    print(user);
  });
}

export async function userList(options: { limit: string; search?: string; cursor?: string }): Promise<void> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    process.stderr.write('joinery: --limit must be a whole number from 1 to 1000\n');
    process.exit(2);
  }
  await withDatabase(async (database, config) => {
    const result = await directoryOf(database, config).listUsers({
      limit,
      search: options.search,
      cursor: options.cursor,
    });
    if (!result.ok) {
      process.stderr.write(`joinery: ${result.error.message}\n`);
      process.exitCode = 1;
      return;
    }
    print(result.value);
  });
}

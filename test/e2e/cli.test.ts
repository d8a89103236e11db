import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createUser, errorBody, request, type UserBody, userBody, userPage } from './http.ts';
import { killAll, type RunningServer, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

const tokenInfo = z.strictObject({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const tokenList = z.array(tokenInfo);

describe('the joinery CLI against a real store', { timeout: 240_000 }, () => {
  let store: E2eStore;
  let server: RunningServer | undefined;
  let adminToken: string;
  let alice: UserBody;

  /**
   * The embedded store is locked by a running server, so CLI commands need it stopped; on PostgreSQL
   * the CLI runs beside the live server, as operators would use it.
   */
  const cliReady = async () => {
    if (store.engine === 'pglite' && server) {
      expect(await server.process.stop()).toEqual({ code: 0, signal: null });
      server = undefined;
    }
  };
  const serverReady = async (): Promise<RunningServer> => {
    server ??= await startServer(store.env());
    return server;
  };
  const cli = (...args: string[]) => runCli(args, store.env());

  beforeAll(async () => {
    store = await createStore();
    const s = await serverReady();
    adminToken = await store.adminToken();
    alice = await createUser(s.url, adminToken, 'alice.cli');
    await createUser(s.url, adminToken, 'bob.cli');
    await createUser(s.url, adminToken, 'carol.cli');
    await cliReady();
  }, START_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('migrate reports that migrations are up to date', async () => {
    await cliReady();
    const run = await cli('migrate');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('migrations are up to date');
  });

  it('user get prints the JSON of a user created through the API, by userName and by id', async () => {
    await cliReady();
    const byName = await cli('user', 'get', 'alice.cli');
    expect(byName.code, byName.stderr).toBe(0);
    const printed = userBody.parse(JSON.parse(byName.stdout));
    expect(printed).toMatchObject({ id: alice.id, userName: 'alice.cli', displayName: 'E2E alice.cli' });

    const byId = await cli('user', 'get', alice.id);
    expect(byId.code, byId.stderr).toBe(0);
    expect(userBody.parse(JSON.parse(byId.stdout)).userName).toBe('alice.cli');
  });

  it('user get exits 1 for an unknown user', async () => {
    await cliReady();
    const run = await cli('user', 'get', 'nobody.cli');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('nobody.cli');
    expect(run.stdout).toBe('');
  });

  it('user list --limit 1 prints one user and a cursor to the next page', async () => {
    await cliReady();
    const run = await cli('user', 'list', '--limit', '1');
    expect(run.code, run.stderr).toBe(0);
    const page = userPage.parse(JSON.parse(run.stdout));
    expect(page.items).toHaveLength(1);
    expect(['alice.cli', 'bob.cli', 'carol.cli']).toContain(page.items[0]?.userName);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('rejects bad arguments with exit code 2 before touching the store', async () => {
    // Neither opens the store (so the data-folder lock does not matter): run them side by side.
    const [scope, limit] = await Promise.all([
      cli('token', 'create', '--name', 'x', '--scope', 'nope'),
      cli('user', 'list', '--limit', '0'),
    ]);
    expect(scope.code, scope.stderr).toBe(2);
    expect(scope.stderr).toContain('--scope');
    expect(scope.stderr).toContain('nope');
    expect(scope.stdout).toBe('');
    expect(limit.code, limit.stderr).toBe(2);
    expect(limit.stderr).toContain('--limit');
  });

  it('token create, list and revoke round trip: a revoked token gets 401', async () => {
    await cliReady();
    const created = await cli('token', 'create', '--name', 'ci-reader', '--scope', 'directory.read');
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^jny_[A-Za-z0-9_-]{20,}$/);

    const listed = await cli('token', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain(secret);
    const tokens = tokenList.parse(JSON.parse(listed.stdout));
    const reader = tokens.find((t) => t.name === 'ci-reader');
    expect(reader).toMatchObject({ scopes: ['directory.read'], revokedAt: null });
    expect(tokens.find((t) => t.name === 'bootstrap-admin')).toMatchObject({ scopes: ['admin'] });
    expect(created.stderr).toContain(reader?.id);

    let s = await serverReady();
    expect((await request(s.url, '/api/v1/users', { token: secret })).status).toBe(200);

    await cliReady();
    const revoked = await cli('token', 'revoke', reader?.id ?? '');
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(tokenInfo.parse(JSON.parse(revoked.stdout)).revokedAt).toEqual(expect.any(String));
    const again = await cli('token', 'revoke', reader?.id ?? '');
    expect(again.code).toBe(1);

    s = await serverReady();
    const denied = await request(s.url, '/api/v1/users', { token: secret });
    expect(denied.status).toBe(401);
    expect(errorBody.parse(denied.body).error.code).toBe('auth.unauthenticated');
    expect((await request(s.url, '/api/v1/users', { token: adminToken })).status).toBe(200);
    expect(await s.process.stop()).toEqual({ code: 0, signal: null });
    server = undefined;
  });
});

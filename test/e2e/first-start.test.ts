import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, errorBody, request, userBody, userPage } from './http.ts';
import { killAll, type RunningServer, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

// One scenario, in order: fresh start → auth → graceful stop → CLI token → restart.
describe('first start on a fresh data folder', { timeout: 180_000 }, () => {
  let store: E2eStore;
  let server: RunningServer;
  let adminToken: string;
  let alice: { id: string; userName: string };
  let readToken: string;
  const allOutput: string[] = [];

  beforeAll(async () => {
    store = await createStore();
    server = await startServer(store.env());
  }, START_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('becomes healthy and ready', async () => {
    expect((await request(server.url, '/healthz')).status).toBe(200);
    const ready = await request(server.url, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready' });
    const metrics = await request(server.url, '/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('joinery_http_requests_total');
    if (store.engine === 'pglite') expect(store.lockExists()).toBe(true);
  });

  it('writes the bootstrap admin token to <dataDir>/admin-token with mode 0600 and never logs it', async () => {
    const mode = statSync(join(store.dataDir, 'admin-token')).mode & 0o777;
    expect(mode.toString(8)).toBe('600');
    adminToken = await store.adminToken();
    expect(adminToken).toMatch(/^jny_[A-Za-z0-9_-]{20,}$/);
    expect(server.process.stdout).not.toContain(adminToken);
    expect(server.process.stderr).not.toContain(adminToken);
    const created = server.process.logLines().find((l) => l.msg === 'created the bootstrap admin token file');
    expect(created?.path).toBe(join(store.dataDir, 'admin-token'));
  });

  it('accepts the admin token on GET /api/v1/users', async () => {
    const res = await request(server.url, '/api/v1/users', { token: adminToken });
    expect(res.status).toBe(200);
    expect(userPage.parse(res.body).items).toEqual([]);
  });

  it('answers 401 auth.unauthenticated without a token or with an unknown one', async () => {
    const none = await request(server.url, '/api/v1/users');
    expect(none.status).toBe(401);
    expect(errorBody.parse(none.body).error.code).toBe('auth.unauthenticated');
    const unknown = await request(server.url, '/api/v1/users', { token: `jny_${'x'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(errorBody.parse(unknown.body).error.code).toBe('auth.unauthenticated');
  });

  it('exits with code 0 on SIGTERM and removes the data-folder lock', async () => {
    alice = await createUser(server.url, adminToken, 'alice.first-start');
    const exit = await server.process.stop();
    allOutput.push(server.process.stdout, server.process.stderr);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(store.lockExists()).toBe(false);
    const msgs = server.process.logLines().map((l) => l.msg);
    expect(msgs).toContain('stopped');
  });

  it('creates a directory.read token with the CLI while the server is stopped', async () => {
    const cli = await runCli(
      ['token', 'create', '--name', 'reader', '--scope', 'directory.read'],
      store.env(),
    );
    expect(cli.code, cli.stderr).toBe(0);
    readToken = cli.stdout.trim();
    expect(readToken).toMatch(/^jny_[A-Za-z0-9_-]{20,}$/);
    expect(cli.stderr).toContain('directory.read');
    expect(store.lockExists()).toBe(false);
  });

  it('keeps users and the admin token across a restart', async () => {
    server = await startServer(store.env());
    const res = await request(server.url, `/api/v1/users/${alice.id}`, { token: adminToken });
    expect(res.status).toBe(200);
    expect(userBody.parse(res.body)).toMatchObject({ id: alice.id, userName: 'alice.first-start' });
    // The bootstrap token is created only once: no second file write, no second log line.
    expect(await store.adminToken()).toBe(adminToken);
    expect(server.process.logLines().some((l) => l.msg === 'created the bootstrap admin token file')).toBe(
      false,
    );
  });

  it('lets a directory.read token read users but answers 403 auth.forbidden to its POST', async () => {
    const read = await request(server.url, '/api/v1/users', { token: readToken });
    expect(read.status).toBe(200);
    expect(userPage.parse(read.body).items.map((u) => u.userName)).toEqual(['alice.first-start']);
    const write = await request(server.url, '/api/v1/users', {
      method: 'POST',
      token: readToken,
      body: { userName: 'mallory.first-start' },
    });
    expect(write.status).toBe(403);
    expect(errorBody.parse(write.body).error.code).toBe('auth.forbidden');
  });

  it('never writes either token to its output, and stops cleanly again', async () => {
    const exit = await server.process.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(store.lockExists()).toBe(false);
    allOutput.push(server.process.stdout, server.process.stderr);
    for (const out of allOutput) {
      expect(out).not.toContain(adminToken);
      expect(out).not.toContain(readToken);
    }
  });
});

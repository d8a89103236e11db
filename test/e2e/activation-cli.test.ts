import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './http.ts';
import { killAll, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

describe('joinery activation (CLI)', { timeout: 240_000 }, () => {
  let store: E2eStore;
  let userId = '';
  const cli = (...args: string[]) => runCli(args, store.env());

  beforeAll(async () => {
    store = await createStore();
    const server = await startServer(store.env());
    const res = await request(server.url, '/api/v1/users', {
      method: 'POST',
      token: await store.adminToken(),
      body: { userName: 'cli.starter@example.com', employeeId: 'CLI-1' },
    });
    expect(res.status).toBe(201);
    userId = (res.body as { id: string }).id;
    // The embedded store is locked by a running server; the CLI needs it stopped there.
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
  }, START_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('issues a code printed once, shows the status, and revokes it', async () => {
    const issued = await cli('activation', 'issue', '--user', userId);
    expect(issued.code, issued.stderr).toBe(0);
    const code = JSON.parse(issued.stdout) as { code: string; codeId: string; url: string };
    expect(code.code).toMatch(/^[A-HJKMNP-Z2-9]{10}$/);
    expect(code.url).toContain('/activate?user=cli.starter%40example.com');

    const status = await cli('activation', 'status', '--user', userId);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      activated: false,
      code: { codeId: code.codeId, state: 'live' },
    });
    expect(status.stdout).not.toContain(code.code);

    const revoked = await cli('activation', 'revoke', '--user', userId);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: true });
  });

  it('fails with the reason for an unknown person', async () => {
    const run = await cli('activation', 'status', '--user', '0190a7e4-0000-7000-8000-000000000000');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no user with id');
  });
});

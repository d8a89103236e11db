import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemoryScimTarget, startMemoryScimTarget } from '../peers/memory-scim-target.ts';
import { request } from './http.ts';
import { killAll, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

describe('joinery outbound (CLI)', { timeout: 240_000 }, () => {
  let store: E2eStore;
  let target: MemoryScimTarget;
  const userIds: string[] = [];
  const cli = (...args: string[]) => runCli(args, store.env());
  const file = (name: string) => join(store.dataDir, name);
  let appId = '';

  beforeAll(async () => {
    store = await createStore();
    target = await startMemoryScimTarget({ token: 'cli-token' });
    const server = await startServer(store.env());
    const token = await store.adminToken();
    for (const name of ['ada', 'bea']) {
      const res = await request(server.url, '/api/v1/users', {
        method: 'POST',
        token,
        body: { userName: `${name}@example.com`, displayName: name.toUpperCase(), title: 'Analyst' },
      });
      expect(res.status).toBe(201);
      userIds.push((res.body as { id: string }).id);
    }
    // The embedded store is locked by a running server; the CLI needs it stopped there.
    if (store.engine === 'pglite') expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    await writeFile(
      file('app.json'),
      JSON.stringify({
        name: 'CLI app',
        scope: 'all',
        enabled: false,
        connector: {
          type: 'scim',
          config: { baseUrl: target.url, auth: { type: 'bearer', token: 'cli-token' } },
        },
      }),
    );
    await writeFile(file('broken.json'), '{ "name": ');
  }, START_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await killAll();
    await target?.close();
    await store?.cleanup();
  });

  it('creates an application from a file, with the credential redacted in what it prints', async () => {
    const run = await cli('outbound', 'create', file('app.json'));
    expect(run.code, run.stderr).toBe(0);
    const app = JSON.parse(run.stdout) as {
      id: string;
      definition: { connector: { config: { auth: { token: string } } } };
    };
    expect(app.definition.connector.config.auth.token).toBe('********');
    expect(run.stdout).not.toContain('cli-token');
    appId = app.id;
    const list = await cli('outbound', 'apps');
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((a) => a.id)).toContain(appId);
  });

  it('provisions one user on demand and prints the trace', async () => {
    const run = await cli('outbound', 'provision', appId, '--user', userIds[0] ?? '');
    expect(run.code, run.stderr).toBe(0);
    const trace = JSON.parse(run.stdout) as {
      action: string;
      status: string;
      steps: Array<{ name: string }>;
    };
    expect(trace).toMatchObject({ action: 'create', status: 'success' });
    expect(trace.steps.map((s) => s.name)).toEqual(
      expect.arrayContaining(['connect', 'scoping', 'matching', 'export']),
    );
    expect(target.dump().users.map((u) => u.userName)).toEqual(['ada@example.com']);
  });

  it('plans the rest, then applies the plan', async () => {
    const plan = await cli('outbound', 'plan', appId);
    expect(plan.code, plan.stderr).toBe(0);
    const view = JSON.parse(plan.stdout) as {
      cycle: { id: string; status: string; counts: Record<string, number> };
      items: Array<{ action: string; attributes?: Record<string, unknown> }>;
    };
    expect(view.cycle).toMatchObject({ status: 'planned', counts: { create: 1, unchanged: 1 } });
    expect(view.items).toEqual([
      expect.objectContaining({
        action: 'create',
        attributes: expect.objectContaining({ userName: 'bea@example.com' }),
      }),
    ]);
    expect(target.dump().users).toHaveLength(1);
    const applied = await cli('outbound', 'apply', view.cycle.id);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ status: 'applied' });
    expect(
      target
        .dump()
        .users.map((u) => u.userName)
        .sort(),
    ).toEqual(['ada@example.com', 'bea@example.com']);
    const again = await cli('outbound', 'apply', view.cycle.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already applied');
  });

  it('shows the status, and fails clearly on a broken file or an unknown app', async () => {
    const status = await cli('outbound', 'status', appId);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'paused', linked: { users: 2 } });
    const broken = await cli('outbound', 'create', file('broken.json'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not a readable JSON file');
    const unknown = await cli('outbound', 'status', '01890000-0000-7000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('does not exist');
  });
});

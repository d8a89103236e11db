import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './http.ts';
import { killAll, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

describe('joinery workflows (CLI)', { timeout: 240_000 }, () => {
  let store: E2eStore;
  let userId = '';
  let file = '';
  const cli = (...args: string[]) => runCli(args, store.env());

  beforeAll(async () => {
    store = await createStore();
    const server = await startServer(store.env());
    const res = await request(server.url, '/api/v1/users', {
      method: 'POST',
      token: await store.adminToken(),
      body: { userName: 'cli.leaver@example.com', employeeId: 'CLI-9' },
    });
    expect(res.status).toBe(201);
    userId = (res.body as { id: string }).id;
    // The embedded store is locked by a running server; the CLI needs it stopped there.
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    file = join(store.dataDir, 'termination.json');
    await writeFile(file, JSON.stringify({ template: 'realTimeEmployeeTermination', name: 'Walk out' }));
  }, START_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('creates a workflow from a template file, runs it on demand, and shows the finished run', async () => {
    const created = await cli('workflows', 'create', file);
    expect(created.code, created.stderr).toBe(0);
    const workflow = JSON.parse(created.stdout) as { id: string; version: number; category: string };
    expect(workflow).toMatchObject({ version: 1, category: 'leaver' });

    const run = await cli('workflows', 'run', workflow.id, '--user', userId);
    expect(run.code, run.stderr).toBe(0);
    const { runIds } = JSON.parse(run.stdout) as { runIds: string[] };
    expect(runIds).toHaveLength(1);

    // No server is running: `pass` executes what is due in this process.
    const pass = await cli('workflows', 'pass');
    expect(pass.code, pass.stderr).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ executed: 1 });

    const shown = await cli('workflows', 'show-run', runIds[0] as string);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      status: 'completed',
      tasks: [
        { task: 'removeUserFromAllGroups', status: 'completed' },
        { task: 'disableUserAccount', status: 'completed' },
      ],
    });
    const runs = await cli('workflows', 'runs', '--user', userId);
    expect((JSON.parse(runs.stdout) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('refuses an invalid definition with the field named, and exits 1', async () => {
    const bad = join(store.dataDir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        name: 'x',
        category: 'joiner',
        trigger: { type: 'onDemand' },
        tasks: [{ task: 'deleteUserAccount' }],
      }),
    );
    const created = await cli('workflows', 'create', bad);
    expect(created.code).toBe(1);
    expect(created.stderr).toContain('tasks.0.task');
  });
});

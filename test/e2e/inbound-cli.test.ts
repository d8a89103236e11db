import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './http.ts';
import { killAll, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

describe('joinery inbound import and mapping test (CLI)', { timeout: 240_000 }, () => {
  let store: E2eStore;
  const cli = (...args: string[]) => runCli(args, store.env());
  const file = (name: string) => join(store.dataDir, name);

  beforeAll(async () => {
    store = await createStore();
    const server = await startServer(store.env());
    const token = await store.adminToken();
    const res = await request(server.url, '/api/v1/inbound/sources', {
      method: 'POST',
      token,
      body: {
        id: 'people',
        type: 'csv',
        name: 'People CSV',
        matching: [{ source: 'Employee ID', target: 'employeeId' }],
        mappings: [
          { target: 'userName', type: 'expression', expression: 'NormalizeDiacritics(ToLower([Email]))' },
          { target: 'displayName', type: 'expression', expression: 'Join(" ", [First], [Last])' },
          { target: 'department', type: 'direct', source: 'Dept' },
        ],
      },
    });
    expect(res.status).toBe(201);
    // The embedded store is locked by a running server; the CLI needs it stopped there.
    if (store.engine === 'pglite') expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    await writeFile(
      file('people.csv'),
      'Employee ID,Email,First,Last,Dept\n501,zoe@example.com,Zoë,Quinn,Ops\n502,yan@example.com,Yan,Li,Ops\n',
    );
    await writeFile(
      file('moves.csv'),
      'Employee ID,Email,First,Last,Dept\n501,zoe@example.com,Zoë,Quinn,Finance\n',
    );
    await writeFile(
      file('record.json'),
      JSON.stringify({ 'Employee ID': '9', Email: 'Åsa@Example.com', First: 'Åsa', Last: 'Berg' }),
    );
  }, START_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('imports a CSV file and prints the run with its counts', async () => {
    const run = await cli('inbound', 'import', '--source', 'people', file('people.csv'));
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      status: string;
      counts: Record<string, number>;
      kind: string;
    };
    expect(summary).toMatchObject({ status: 'completed', kind: 'csv', counts: { created: 2 } });
  });

  it('a dry run prints a plan, and `inbound apply` applies it', async () => {
    const plan = await cli('inbound', 'import', '--source', 'people', '--dry-run', file('moves.csv'));
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as { id: string; status: string; counts: Record<string, number> };
    expect(planned).toMatchObject({ status: 'planned', counts: { updated: 1 } });
    const applied = await cli('inbound', 'apply', planned.id);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ status: 'applied' });
    const again = await cli('inbound', 'apply', planned.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already applied');
  });

  it('mapping test shows what the mapping makes of a sample record', async () => {
    const run = await cli('mapping', 'test', '--source', 'people', file('record.json'));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      values: Record<string, unknown>;
      directoryInput: Record<string, unknown>;
    };
    expect(result.values).toEqual({ userName: 'asa@example.com', displayName: 'Åsa Berg' });
    expect(result.directoryInput).toMatchObject({ userName: 'asa@example.com', displayName: 'Åsa Berg' });
  });

  it('a missing file and an unknown source fail with a clear message', async () => {
    const missing = await cli('inbound', 'import', '--source', 'people', file('nope.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const unknown = await cli('inbound', 'import', '--source', 'ghost', file('people.csv'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('inbound source "ghost" does not exist');
  });
});

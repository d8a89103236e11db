import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from './http.ts';
import { cleanEnv, type Env, killAll, runCli, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

// Each case is a separate short-lived process that must exit on its own: run them side by side.
describe.concurrent('configuration errors stop start-up with exit code 2', { timeout: 120_000 }, () => {
  let dir: string;
  let dataDir: string;
  // A start that fails on configuration must not open (or create) anything in the data folder.
  const env = (extra: Env): Env => ({
    ...cleanEnv(),
    JOINERY_DATA_DIR: dataDir,
    JOINERY_HOST: '127.0.0.1',
    ...extra,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joinery-e2e-config-'));
    dataDir = join(dir, 'data');
  });

  afterAll(async () => {
    // runCli kills its child on timeout; this is the safety net for anything else.
    await killAll();
    expect(existsSync(dataDir), 'data folder created by a refused start').toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects JOINERY_PORT=abc as not a whole number', async ({ expect }) => {
    const run = await runCli(['start'], env({ JOINERY_PORT: 'abc' }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('JOINERY_PORT');
    expect(run.stderr).toContain('whole number');
    expect(run.stderr).toContain('"abc"');
    expect(run.stdout).not.toContain('listening');
  });

  it('rejects an unknown JOINERY_FOO, naming it', async ({ expect }) => {
    const run = await runCli(['start'], env({ JOINERY_PORT: '0', JOINERY_FOO: '1' }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/JOINERY_FOO: unknown setting/);
  });

  it('reports every problem at once', async ({ expect }) => {
    const run = await runCli(
      ['start'],
      env({ JOINERY_PORT: '70000', JOINERY_LOG_LEVEL: 'loud', JOINERY_FOO: '1' }),
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('JOINERY_PORT');
    expect(run.stderr).toContain('JOINERY_LOG_LEVEL');
    expect(run.stderr).toContain('JOINERY_FOO');
  });

  it('rejects an unknown key in the JOINERY_CONFIG_FILE, naming it', async ({ expect }) => {
    const file = join(dir, 'bogus.json');
    await writeFile(file, JSON.stringify({ port: 0, bogus: 1 }));
    const run = await runCli(['start'], env({ JOINERY_CONFIG_FILE: file }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('unknown key "bogus"');
    expect(run.stderr).not.toContain('"port"');
  });

  it('rejects a config file that is not JSON', async ({ expect }) => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"port": 0,');
    const run = await runCli(['start'], env({ JOINERY_CONFIG_FILE: file }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('is not valid JSON');
  });

  it('applies the same checks to CLI commands', async ({ expect }) => {
    const run = await runCli(['migrate'], env({ JOINERY_FOO: '1' }));
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('JOINERY_FOO');
  });
});

describe('valid settings at run time', { timeout: 180_000 }, () => {
  let store: E2eStore;

  beforeAll(async () => {
    store = await createStore();
  });

  afterEach(async () => {
    await killAll();
  });

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it('reads a JOINERY_CONFIG_FILE at start-up: {"port": 0} starts a server on a free port', async () => {
    const file = join(store.dataDir, 'joinery.json');
    await writeFile(file, JSON.stringify({ port: 0 }));
    const { JOINERY_PORT: _fromEnv, ...withoutPort } = store.env({ JOINERY_CONFIG_FILE: file });
    const server = await startServer(withoutPort);
    // Without the file the port would be the default 8080; port 0 yields an ephemeral one.
    expect(new URL(server.url).port).not.toBe('8080');
    expect((await request(server.url, '/healthz')).status).toBe(200);
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    expect(await readdir(store.dataDir)).toContain('admin-token');
  });

  it('exits 1 with a clear message when the HTTP port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const run = await runCli(['start'], store.env({ JOINERY_PORT: String(port) }));
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain('the HTTP port is already in use');
      expect(run.stderr).toContain(String(port));
      expect(run.stdout).not.toContain('Joinery is listening');
    } finally {
      await new Promise((done) => blocker.close(done));
    }
    // Whatever the failed start left behind, the next start on the same store works.
    const server = await startServer(store.env());
    expect((await request(server.url, '/readyz')).status).toBe(200);
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
  });
});

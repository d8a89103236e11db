import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testEngine } from '../database.ts';
import { createUser, request, userBody } from './http.ts';
import { killAll, type RunningServer, runCli, START_HOOK_TIMEOUT_MS, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

const lockFile = z.object({ pid: z.number(), host: z.string() });

// The lock guards the embedded store only; with DATABASE_URL, copies share PostgreSQL by design.
describe.skipIf(testEngine() !== 'pglite')(
  'data-folder lock of the embedded store',
  { timeout: 180_000 },
  () => {
    let store: E2eStore;
    let first: RunningServer;
    let token: string;
    let userId: string;

    beforeAll(async () => {
      store = await createStore();
      first = await startServer(store.env());
      token = await store.adminToken();
    }, START_HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await killAll();
      await store?.cleanup();
    });

    it('refuses a second start on the same folder with exit code 1, naming the folder as in use', async () => {
      const holder = lockFile.parse(JSON.parse(readFileSync(store.lockPath, 'utf8')));
      expect(holder.pid).toBe(first.process.pid);

      const second = await runCli(['start'], store.env());
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toContain(store.dataDir);
      expect(second.stderr).toContain('is in use by another Joinery process');
      expect(second.stderr).toContain(`pid ${first.process.pid}`);
      expect(second.stdout).not.toContain('Joinery is listening');
      // The refused process must not have touched the holder's lock.
      expect(lockFile.parse(JSON.parse(readFileSync(store.lockPath, 'utf8'))).pid).toBe(first.process.pid);
    });

    it('refuses a CLI command on the folder while the server holds it', async () => {
      const cli = await runCli(['token', 'list'], store.env());
      expect(cli.code, cli.stderr).toBe(1);
      expect(cli.stderr).toContain(store.dataDir);
      expect(cli.stderr).toContain('is in use');
    });

    it('keeps the first server serving reads and writes', async () => {
      expect((await request(first.url, '/healthz')).status).toBe(200);
      expect((await request(first.url, '/readyz')).status).toBe(200);
      userId = (await createUser(first.url, token, 'kept.by-lock')).id;
      expect((await request(first.url, `/api/v1/users/${userId}`, { token })).status).toBe(200);
    });

    it('takes over the stale lock after kill -9 of the holder and keeps its data', async () => {
      const exit = await first.process.kill();
      expect(exit.signal).toBe('SIGKILL');
      // kill -9 leaves the lock file behind: the next start must see that its holder is dead.
      expect(store.lockExists()).toBe(true);

      const next = await startServer(store.env());
      const holder = lockFile.parse(JSON.parse(readFileSync(store.lockPath, 'utf8')));
      expect(holder.pid).toBe(next.process.pid);
      expect((await request(next.url, '/readyz')).status).toBe(200);
      const res = await request(next.url, `/api/v1/users/${userId}`, { token });
      expect(res.status).toBe(200);
      expect(userBody.parse(res.body).userName).toBe('kept.by-lock');

      expect(await next.process.stop()).toEqual({ code: 0, signal: null });
      expect(store.lockExists()).toBe(false);
    });
  },
);

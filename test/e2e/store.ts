import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresTestDatabase, type TestEngine, testEngine } from '../database.ts';
import { cleanEnv, type Env } from './process.ts';

/**
 * Where one e2e scenario keeps its state: a private temp data folder (embedded store, admin-token
 * file) and, when the run targets PostgreSQL, a private database copied from the run's template.
 */
export interface E2eStore {
  engine: TestEngine;
  dataDir: string;
  databaseUrl: string | undefined;
  /** The child environment: clean parent env + data folder, port 0 on 127.0.0.1, and DATABASE_URL on postgres. */
  env(extra?: Env): Env;
  adminToken(): Promise<string>;
  lockPath: string;
  lockExists(): boolean;
  cleanup(): Promise<void>;
}

export async function createStore(): Promise<E2eStore> {
  const engine = testEngine();
  const dataDir = await mkdtemp(join(tmpdir(), 'joinery-e2e-'));
  const pg = engine === 'postgres' ? await createPostgresTestDatabase() : undefined;
  const lockPath = join(dataDir, 'joinery.lock');
  return {
    engine,
    dataDir,
    databaseUrl: pg?.url,
    lockPath,
    env: (extra = {}) => ({
      ...cleanEnv(),
      JOINERY_DATA_DIR: dataDir,
      JOINERY_PORT: '0',
      JOINERY_HOST: '127.0.0.1',
      ...(pg ? { DATABASE_URL: pg.url } : {}),
      ...extra,
    }),
    adminToken: async () => (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim(),
    lockExists: () => existsSync(lockPath),
    cleanup: async () => {
      await rm(dataDir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

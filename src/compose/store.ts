import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/index.ts';
import { type Logger, parseSecretsKey } from '../core/index.ts';
import { type Database, type DataDirLock, lockDataDir, openDatabase } from '../db/index.ts';

/** Opens the store named by the config, taking the data-folder lock first on the embedded store. */
export async function openConfiguredDatabase(
  config: Config,
): Promise<{ database: Database; lock: DataDirLock | null }> {
  const dataDir = resolve(config.dataDir);
  if (config.databaseUrl) {
    return {
      database: await openDatabase({
        engine: 'postgres',
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
      }),
      lock: null,
    };
  }
  const lock = lockDataDir(dataDir);
  try {
    return { database: await openDatabase({ engine: 'pglite', dataDir: resolve(dataDir, 'pglite') }), lock };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * The key that seals stored credentials: JOINERY_SECRETS_KEY, or a key generated once in the data
 * folder (0600). Copies sharing one PostgreSQL must share the key, hence the warning there.
 */
export function loadSecretsKey(config: Config, logger: Logger): Buffer {
  if (config.secretsKey) {
    const key = parseSecretsKey(config.secretsKey);
    if (key) return key;
  }
  const dir = resolve(config.dataDir);
  const file = resolve(dir, 'secrets.key');
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    if (config.databaseUrl) {
      logger.warn(
        { file },
        'generated a secrets key in the data folder; set JOINERY_SECRETS_KEY to the same value on every copy',
      );
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  const key = parseSecretsKey(readFileSync(file, 'utf8'));
  if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex digits)`);
  return key;
}

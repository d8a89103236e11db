import { type Config, ConfigError, loadConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../core/index.ts';
import { DataDirLockedError } from '../db/index.ts';

/** Reads the config or exits with the precise problems (exit code 2: usage/configuration). */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`joinery: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

export function loggerFor(config: Config): Logger {
  return createLogger(config.logLevel);
}

/** Known start-up failures become one clear line and exit code 1; anything else is a bug and shows its stack. */
export function fail(error: unknown): never {
  if (error instanceof DataDirLockedError) {
    process.stderr.write(`joinery: ${error.message}\n`);
    process.exit(1);
  }
  const e = error as { code?: string; message?: string };
  if (e?.code === 'ECONNREFUSED' || e?.code === '28P01' || e?.code === '3D000') {
    process.stderr.write(`joinery: cannot reach the database: ${e.message}\n`);
    process.exit(1);
  }
  if (e?.code === 'EADDRINUSE') {
    process.stderr.write(`joinery: the HTTP port is already in use: ${e.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `joinery: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}

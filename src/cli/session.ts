import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { type App, createApp } from '../app.ts';
import type { Failure, RequestContext, Result } from '../core/index.ts';
import { silentLogger } from '../core/index.ts';
import { configOrExit, fail } from './context.ts';

/** Who a CLI command acts as, for the audit log: the OS user. */
export function cliContext(): RequestContext {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { actor: { type: 'user', id: null, name: `cli:${name}` }, correlationId: `cli-${Date.now()}` };
}

/**
 * Runs one command against the configured store with the app's modules but no HTTP server and no
 * background workers (the queue is open for sending). `prepare` runs first (e.g. seeding defaults).
 */
export async function withCliApp(
  fn: (app: App, ctx: RequestContext) => Promise<void>,
  prepare?: (app: App, ctx: RequestContext) => Promise<void>,
): Promise<void> {
  const config = configOrExit();
  let app: App;
  try {
    app = await createApp(config, { logger: silentLogger, mode: 'work' });
  } catch (error) {
    fail(error);
  }
  try {
    await app.jobs.start({ work: false });
    await prepare?.(app, cliContext());
    await fn(app, cliContext());
  } finally {
    await app.stop();
  }
}

export const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** Prints a failure (message, then details) and sets exit code 1; true when the result is ok. */
export function report<T>(result: Result<T>): result is { ok: true; value: T } {
  if (result.ok) return true;
  const e: Failure = result.error;
  process.stderr.write(`joinery: ${e.message}\n`);
  if (e.details && Object.keys(e.details).length > 0)
    process.stderr.write(`${JSON.stringify(e.details, null, 2)}\n`);
  process.exitCode = 1;
  return false;
}

/** A JSON file given on the command line; an unreadable one ends the command with exit code 2. */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`joinery: ${file} is not a readable JSON file: ${(error as Error).message}\n`);
    process.exit(2);
  }
}

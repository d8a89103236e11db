import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** Repository root and the real entry point that users run (`node bin/joinery.mjs`, tsx, no build). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const entry = resolve(repoRoot, 'bin/joinery.mjs');

export type Env = Record<string, string>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** How long a fresh PGlite start may take on a loaded 2-core machine (first start is 3–15 s). */
export const START_TIMEOUT_MS = 90_000;
/** How long a graceful stop or a short CLI command may take. */
export const EXIT_TIMEOUT_MS = 45_000;

/**
 * The parent environment without any Joinery setting: a JOINERY_* or DATABASE_URL left in the
 * developer's shell must not leak into a child (an unknown JOINERY_* would even stop it).
 */
export function cleanEnv(): Env {
  const env: Env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('JOINERY_') || key === 'DATABASE_URL') continue;
    env[key] = value;
  }
  return env;
}

const live = new Set<JoineryProcess>();
// Last resort if the test worker exits (or is torn down) with children still running: no orphan
// server may keep a port, a data folder lock or a database connection after the run.
process.once('exit', () => {
  for (const p of live) p.child.kill('SIGKILL');
});

/** One spawned `joinery …` child with its captured output. Every instance is tracked until it exits. */
export class JoineryProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';
  exit: Exit | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly args: string[],
    env: Env,
  ) {
    this.child = spawn(process.execPath, [entry, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.exited = new Promise<Exit>((done) => {
      const finish = (exit: Exit) => {
        if (this.exit) return;
        this.exit = exit;
        live.delete(this);
        this.notify();
        done(exit);
      };
      // 'close' fires once the process has exited and its output pipes are drained.
      this.child.once('close', (code, signal) => finish({ code, signal }));
      this.child.once('error', (error) => {
        this.stderr += `\n[spawn error] ${error.message}`;
        finish({ code: null, signal: null });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** JSON log lines written on stdout so far (non-JSON lines are skipped). */
  logLines(): LogLine[] {
    const lines: LogLine[] = [];
    for (const raw of this.stdout.split('\n')) {
      if (!raw.startsWith('{')) continue;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && 'msg' in parsed && typeof parsed.msg === 'string') {
          lines.push(parsed as LogLine);
        }
      } catch {
        // a line still being written
      }
    }
    return lines;
  }

  /** A short description of the output, for failure messages. */
  describe(): string {
    const tail = (s: string) => (s.length > 4000 ? `…${s.slice(-4000)}` : s);
    const exit = this.exit ? `exited code=${this.exit.code} signal=${this.exit.signal}` : 'still running';
    return `joinery ${this.args.join(' ')} (pid ${this.pid}, ${exit})\n--- stdout\n${tail(this.stdout)}\n--- stderr\n${tail(this.stderr)}`;
  }

  /**
   * Waits until `probe` returns a value (checked on every output chunk and on exit). Fails after
   * `timeoutMs`, or as soon as the process exits without the condition holding.
   */
  waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolveWait, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) {
          cleanup();
          resolveWait(value);
        } else if (this.exit) {
          cleanup();
          reject(new Error(`process exited before ${what}\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves with the exit, or fails (leaving the process running) after `timeoutMs`. */
  async waitForExit(timeoutMs: number = EXIT_TIMEOUT_MS): Promise<Exit> {
    return this.waitFor(() => this.exit ?? undefined, 'exit', timeoutMs);
  }

  /** Graceful stop: SIGTERM, then wait (bounded) for the exit. Kills -9 and fails if it hangs. */
  async stop(timeoutMs: number = EXIT_TIMEOUT_MS): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    try {
      return await this.waitForExit(timeoutMs);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** `kill -9`: no chance to clean up, like a power cut for the process. */
  async kill(): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Spawns `joinery <args>` without waiting for anything. */
export function spawnJoinery(args: string[], env: Env): JoineryProcess {
  return new JoineryProcess(args, env);
}

export interface RunningServer {
  process: JoineryProcess;
  /** Base URL from the "Joinery is listening on …" log line, e.g. http://127.0.0.1:41234 */
  url: string;
}

/** `joinery start`, resolved once the listening line (with its `url` field) is logged. */
export async function startServer(env: Env, timeoutMs: number = START_TIMEOUT_MS): Promise<RunningServer> {
  const proc = spawnJoinery(['start'], env);
  try {
    const url = await proc.waitFor(
      () => {
        const line = proc.logLines().find((l) => l.msg.startsWith('Joinery is listening on'));
        return typeof line?.url === 'string' ? line.url : undefined;
      },
      'the "Joinery is listening on" log line',
      timeoutMs,
    );
    return { process: proc, url };
  } catch (error) {
    await proc.kill();
    throw error;
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion (bounded; killed -9 and failed if it hangs). */
export async function runCli(
  args: string[],
  env: Env,
  timeoutMs: number = EXIT_TIMEOUT_MS,
): Promise<CliResult> {
  const proc = spawnJoinery(args, env);
  try {
    const exit = await proc.waitForExit(timeoutMs);
    return { ...exit, stdout: proc.stdout, stderr: proc.stderr };
  } catch (error) {
    await proc.kill();
    throw error;
  }
}

/** Kills -9 every child still running (afterEach/afterAll safety net). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}

/** Polls `probe` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** beforeAll hooks that start a server (and maybe run a few requests or a CLI command). */
export const START_HOOK_TIMEOUT_MS = 180_000;

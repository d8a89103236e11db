import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface DataDirLock {
  path: string;
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    readonly holderHost: string,
    lockPath: string,
  ) {
    const where = holderHost === hostname() ? `pid ${holderPid}` : `pid ${holderPid} on host ${holderHost}`;
    const hint =
      holderHost === hostname()
        ? 'Stop that process first, or give this one its own JOINERY_DATA_DIR.'
        : `If that host is gone for good, delete ${lockPath} and start again.`;
    super(
      `The data folder ${dataDir} is in use by another Joinery process (${where}). ${hint} ` +
        '(The embedded store cannot be shared: two processes on one folder would lose commits.)',
    );
    this.name = 'DataDirLockedError';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Holder {
  pid?: number;
  host?: string;
}

function readHolder(path: string): Holder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Half-written by a process that died mid-write: stale.
    return {};
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(
      fd,
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
    );
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const TAKEOVER_STALE_MS = 10_000;

/**
 * Replaces a stale lock while holding a second exclusive file, so two processes that find the same stale
 * lock at once cannot both take it (without this, B could delete the fresh lock A just created).
 */
function takeOverStale(lockPath: string, dataDir: string): boolean {
  const takeover = `${lockPath}.takeover`;
  if (!tryCreate(takeover)) {
    try {
      // A starter that died during a takeover leaves this file behind; it is tiny-lived otherwise.
      if (Date.now() - statSync(takeover).mtimeMs > TAKEOVER_STALE_MS) removeQuietly(takeover);
    } catch {
      // vanished meanwhile
    }
    return false;
  }
  try {
    const holder = readHolder(lockPath);
    if (holder) assertStale(holder, dataDir, lockPath);
    removeQuietly(lockPath);
    return tryCreate(lockPath);
  } finally {
    removeQuietly(takeover);
  }
}

/** Throws when the holder may still be running; returns when the lock is provably stale. */
function assertStale(holder: Holder, dataDir: string, lockPath: string): void {
  const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
  if (pid === undefined) return;
  const host = holder.host ?? hostname();
  // Another host (a shared volume): we cannot see its processes, so never assume it is gone.
  if (host !== hostname()) throw new DataDirLockedError(dataDir, pid, host, lockPath);
  if (pid !== process.pid && processAlive(pid)) throw new DataDirLockedError(dataDir, pid, host, lockPath);
}

/**
 * Takes an exclusive lock on the data folder: a lock file created with O_EXCL holding our pid and host.
 * A lock left by a process of this host that died (kill -9, power loss) is taken over, so a crash never
 * needs manual clean-up; a lock held by a live process, or by another host, refuses start-up.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'joinery.lock');
  for (let attempt = 0; attempt < 50; attempt++) {
    if (tryCreate(path) || (readHolderAndCheck(path, dataDir) && takeOverStale(path, dataDir))) {
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          removeQuietly(path);
        },
      };
    }
    // Lost a takeover race: the winner's lock now exists; the next round reports it as in use.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`could not take the lock ${path}`);
}

/** True when the current lock is stale (or gone); throws when it is held. */
function readHolderAndCheck(path: string, dataDir: string): boolean {
  const holder = readHolder(path);
  if (holder) assertStale(holder, dataDir, path);
  return true;
}

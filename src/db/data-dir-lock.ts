import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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
  ) {
    super(
      `The data folder ${dataDir} is in use by another Joinery process (pid ${holderPid}). ` +
        'Stop that process first, or give this one its own JOINERY_DATA_DIR. ' +
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

/**
 * Takes an exclusive lock on the data folder: a lock file created with O_EXCL holding our pid and host.
 * A lock left by a process that died (kill -9, power loss) is taken over, so a crash never needs manual
 * clean-up; a lock held by a live process refuses start-up.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'joinery.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(
        fd,
        JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
      );
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
      } catch {
        // Half-written by a process that died mid-write: treat as stale.
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
      const sameHost = holder.host === undefined || holder.host === hostname();
      if (pid !== undefined && pid !== process.pid && sameHost && processAlive(pid)) {
        throw new DataDirLockedError(dataDir, pid);
      }
      try {
        unlinkSync(path);
      } catch {
        // another starter removed it first; retry the exclusive create
      }
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

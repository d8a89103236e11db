import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'joinery-lock-'));

/** A pid that is certainly not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? 999_999;
}

describe('data-folder lock', () => {
  it('is exclusive while held and free after release', () => {
    const dir = fresh();
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    // Our own pid counts as a live holder only when it is another process; simulate one with pid 1.
    writeFileSync(lock.path, JSON.stringify({ pid: 1, host: hostname() }));
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'joinery.lock'), JSON.stringify({ pid: await deadPid(), host: hostname() }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a half-written lock file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'joinery.lock'), '{"pid":');
    lockDataDir(dir).release();
  });

  it('refuses a lock held on another host, naming the file to delete', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'joinery.lock'), JSON.stringify({ pid: 4242, host: 'elsewhere.example' }));
    expect(() => lockDataDir(dir)).toThrow(/on host elsewhere\.example.*delete .*joinery\.lock/);
  });

  it('lets exactly one of many simultaneous starters take a stale lock', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'joinery.lock'), JSON.stringify({ pid: await deadPid(), host: hostname() }));
    // Real processes racing: each tries to lock, reports, and holds the lock until told to exit.
    const script = `
      import('${new URL('./data-dir-lock.ts', import.meta.url).href}').then(({ lockDataDir }) => {
        // Everyone loaded: spin until the shared start time so the attempts truly overlap.
        while (Date.now() < Number(process.argv[2])) {}
        try { lockDataDir(process.argv[1]); process.stdout.write('won'); }
        catch (e) { process.stdout.write(e.name === 'DataDirLockedError' ? 'refused' : 'error:' + e.message); }
        setTimeout(() => process.exit(0), 1500);
      });`;
    const startAt = String(Date.now() + 6000);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir, startAt]);
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
        });
        return new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
      }),
    );
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
  });
});

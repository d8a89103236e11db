import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.ts';

describe('Mutex', () => {
  it('runs critical sections one at a time, in arrival order', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const section = (name: string, ticks: number) =>
      mutex.run(async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        log.push(`${name}:in`);
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        log.push(`${name}:out`);
        inside -= 1;
      });
    await Promise.all([section('a', 5), section('b', 1), section('c', 3)]);
    expect(maxInside).toBe(1);
    expect(log).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
  });

  it('releases when the section throws', async () => {
    const mutex = new Mutex();
    await expect(mutex.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run(async () => 42)).resolves.toBe(42);
  });

  it('ignores a second release of the same turn', async () => {
    const mutex = new Mutex();
    const release = await mutex.acquire();
    release();
    release();
    const a = await mutex.acquire();
    let bGot = false;
    const b = mutex.acquire().then((r) => {
      bGot = true;
      return r;
    });
    await Promise.resolve();
    expect(bGot).toBe(false);
    a();
    (await b)();
    expect(bGot).toBe(true);
  });
});

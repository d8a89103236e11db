import { describe, expect, it } from 'vitest';
import { createListCache } from './list-cache.ts';

/** A count function that says how often it ran. */
function counter(values: number[]) {
  let calls = 0;
  return {
    count: async () => values[Math.min(calls++, values.length - 1)] as number,
    calls: () => calls,
  };
}

describe('SCIM list cache: totals', () => {
  it('counts once while the outbox mark is unchanged, and again when it moves', async () => {
    const cache = createListCache(() => 0, 2_000);
    const c = counter([10, 11]);
    expect(await cache.total('q', 7, c.count)).toBe(10);
    expect(await cache.total('q', 7, c.count)).toBe(10);
    expect(c.calls()).toBe(1);
    // A directory change wrote an event: the next request waits for a fresh count.
    expect(await cache.total('q', 8, c.count)).toBe(11);
    expect(c.calls()).toBe(2);
  });

  it('shares one count among concurrent requests', async () => {
    const cache = createListCache(() => 0);
    let calls = 0;
    let release: (n: number) => void = () => {};
    const slow = () => {
      calls++;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };
    const waiting = [cache.total('q', 1, slow), cache.total('q', 1, slow), cache.total('q', 1, slow)];
    release(42);
    expect(await Promise.all(waiting)).toEqual([42, 42, 42]);
    expect(calls).toBe(1);
  });

  it('past its TTL serves the old total while one recount replaces it', async () => {
    let now = 0;
    const cache = createListCache(() => now, 2_000);
    const c = counter([5, 6]);
    expect(await cache.total('q', 1, c.count)).toBe(5);
    now = 2_001;
    expect(await cache.total('q', 1, c.count)).toBe(5);
    await new Promise((r) => setImmediate(r));
    expect(c.calls()).toBe(2);
    expect(await cache.total('q', 1, c.count)).toBe(6);
  });
});

describe('SCIM list cache: page anchors', () => {
  it('answers only for the same mark and within the TTL', () => {
    let now = 0;
    const cache = createListCache(() => now, 2_000);
    cache.rememberAnchor('q', 7, 200, 'id-200');
    expect(cache.anchor('q', 7, 200)).toBe('id-200');
    expect(cache.anchor('q', 7, 300)).toBeUndefined();
    expect(cache.anchor('q', 8, 200)).toBeUndefined();
    cache.rememberAnchor('q', 7, 300, 'id-300');
    now = 2_001;
    expect(cache.anchor('q', 7, 300)).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entries first', () => {
    const cache = createListCache(() => 0);
    for (let i = 0; i < 2_500; i++) cache.rememberAnchor(`q${i}`, 1, 100, `id${i}`);
    expect(cache.anchor('q0', 1, 100)).toBeUndefined();
    expect(cache.anchor('q2499', 1, 100)).toBe('id2499');
  });
});

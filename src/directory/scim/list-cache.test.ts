import { describe, expect, it } from 'vitest';
import { createListCache } from './list-cache.ts';

describe('SCIM list cache', () => {
  it('answers only while the outbox mark is unchanged', () => {
    let now = 0;
    const cache = createListCache(() => now, 2_000);
    cache.rememberTotal('q', 7, 1_000_000);
    cache.rememberAnchor('q', 7, 200, '01a2...');
    expect(cache.total('q', 7)).toBe(1_000_000);
    expect(cache.anchor('q', 7, 200)).toBe('01a2...');
    expect(cache.anchor('q', 7, 300)).toBeUndefined();
    expect(cache.total('other', 7)).toBeUndefined();
    // A directory change wrote an event: everything stamped with the old mark is forgotten.
    expect(cache.total('q', 8)).toBeUndefined();
    expect(cache.total('q', 7)).toBeUndefined();
    now = 1;
    expect(cache.anchor('q', 8, 200)).toBeUndefined();
  });

  it('forgets entries older than the TTL even when the mark did not move', () => {
    let now = 0;
    const cache = createListCache(() => now, 2_000);
    cache.rememberTotal('q', 1, 5);
    now = 1_999;
    expect(cache.total('q', 1)).toBe(5);
    now = 2_001;
    expect(cache.total('q', 1)).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entries first', () => {
    const cache = createListCache(() => 0);
    for (let i = 0; i < 2_500; i++) cache.rememberTotal(`q${i}`, 1, i);
    expect(cache.total('q0', 1)).toBeUndefined();
    expect(cache.total('q2499', 1)).toBe(2499);
  });
});

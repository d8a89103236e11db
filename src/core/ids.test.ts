import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './ids.ts';

describe('ids (UUID version 7, RFC 9562 §5.7)', () => {
  it('sets version 7 and the RFC variant', () => {
    const id = newId();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('sorts by creation time', () => {
    const older = newId(Date.parse('2026-01-01T00:00:00Z'));
    const newer = newId(Date.parse('2026-01-01T00:00:00.001Z'));
    expect(older < newer).toBe(true);
    expect(newId(0).startsWith('00000000-0000-7')).toBe(true);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(1)));
    expect(ids.size).toBe(10_000);
  });
});

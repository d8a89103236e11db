import { describe, expect, it } from 'vitest';
import { newestById } from './pull-run.ts';

describe('scim-pull de-duplication', () => {
  it('keeps one copy per id, the newest, in the place of the first copy', () => {
    const a1 = { id: 'a', meta: { lastModified: '2026-01-01T00:00:00Z' }, title: 'old' };
    const b = { id: 'b', meta: { lastModified: '2026-01-01T00:00:00Z' } };
    const a2 = { id: 'a', meta: { lastModified: '2026-01-02T00:00:00Z' }, title: 'new' };
    const a0 = { id: 'a', meta: { lastModified: '2025-12-31T00:00:00Z' }, title: 'older' };
    const noId = { userName: 'x' };
    expect(newestById([a1, b, a2, a0, noId, noId])).toEqual([a2, b, noId, noId]);
  });
});

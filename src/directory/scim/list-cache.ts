/**
 * Remembers, per query, the total and where each served page ended, stamped with the outbox
 * high-water mark. While no directory change has been written since (every change writes an event in
 * its transaction), the total is still exact and the next page can start after the remembered key
 * instead of skipping rows: a client walking 1M users page by page costs the same on page 10,000 as
 * on page 1. The TTL bounds the one case the mark misses: a transaction that took its event id before
 * the count and committed after it.
 */
export interface ListCache {
  total(query: string, mark: number): number | undefined;
  rememberTotal(query: string, mark: number, total: number): void;
  anchor(query: string, mark: number, offset: number): string | undefined;
  rememberAnchor(query: string, mark: number, offset: number, lastId: string): void;
}

interface Entry<T> {
  mark: number;
  value: T;
  at: number;
}

const MAX_ENTRIES = 2_000;

export function createListCache(now: () => number, ttlMs = 2_000): ListCache {
  const totals = new Map<string, Entry<number>>();
  const anchors = new Map<string, Entry<string>>();
  const read = <T>(map: Map<string, Entry<T>>, key: string, mark: number): T | undefined => {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.mark !== mark || now() - entry.at > ttlMs) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  };
  const write = <T>(map: Map<string, Entry<T>>, key: string, mark: number, value: T) => {
    if (map.size >= MAX_ENTRIES) {
      // Oldest first: Map iterates in insertion order.
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(key, { mark, value, at: now() });
  };
  return {
    total: (query, mark) => read(totals, query, mark),
    rememberTotal: (query, mark, total) => write(totals, query, mark, total),
    anchor: (query, mark, offset) => read(anchors, `${offset}\u0000${query}`, mark),
    rememberAnchor: (query, mark, offset, lastId) => write(anchors, `${offset}\u0000${query}`, mark, lastId),
  };
}

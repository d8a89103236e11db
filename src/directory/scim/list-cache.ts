/**
 * Remembers, per query, the total and where each served page ended, stamped with the outbox
 * high-water mark. While no directory change has been written since (every change writes an event in
 * its transaction), the total is still exact and the next page can start after the remembered key
 * instead of skipping rows: a client walking 1M users page by page costs the same on page 10,000 as
 * on page 1.
 *
 * The TTL bounds the one case the mark misses: a transaction that took its event id before the count
 * and committed after it. A total past its TTL (same mark) is still served while one background
 * recount replaces it, so a busy listing never waits for `count(*)`; a new mark always waits for a
 * fresh count, and concurrent requests share one count per query.
 */
export interface ListCache {
  total(query: string, mark: number, count: () => Promise<number>): Promise<number>;
  anchor(query: string, mark: number, offset: number): string | undefined;
  rememberAnchor(query: string, mark: number, offset: number, lastId: string): void;
}

interface Entry<T> {
  mark: number;
  value: T;
  at: number;
}

const MAX_ENTRIES = 2_000;

function write<T>(map: Map<string, Entry<T>>, key: string, entry: Entry<T>): void {
  if (map.size >= MAX_ENTRIES && !map.has(key)) {
    // Oldest first: Map iterates in insertion order.
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, entry);
}

export function createListCache(now: () => number, ttlMs = 2_000): ListCache {
  const totals = new Map<string, Entry<number>>();
  const anchors = new Map<string, Entry<string>>();
  const counting = new Map<string, Promise<number>>();

  const recount = (query: string, mark: number, count: () => Promise<number>): Promise<number> => {
    const key = `${mark}\u0000${query}`;
    let running = counting.get(key);
    if (!running) {
      running = count()
        .then((value) => {
          const current = totals.get(query);
          if (!current || current.mark <= mark) write(totals, query, { mark, value, at: now() });
          return value;
        })
        .finally(() => counting.delete(key));
      counting.set(key, running);
    }
    return running;
  };

  return {
    async total(query, mark, count) {
      const entry = totals.get(query);
      if (entry && entry.mark === mark) {
        if (now() - entry.at > ttlMs) {
          // Serve the old total; one recount (errors are only a missed refresh) replaces it.
          recount(query, mark, count).catch(() => {});
        }
        return entry.value;
      }
      return recount(query, mark, count);
    },
    anchor(query, mark, offset) {
      const key = `${offset}\u0000${query}`;
      const entry = anchors.get(key);
      if (!entry) return undefined;
      if (entry.mark !== mark || now() - entry.at > ttlMs) {
        anchors.delete(key);
        return undefined;
      }
      return entry.value;
    },
    rememberAnchor(query, mark, offset, lastId) {
      write(anchors, `${offset}\u0000${query}`, { mark, value: lastId, at: now() });
    },
  };
}

import type { Connector, ConnectorResult } from './connector.ts';

export interface RateLimit {
  /** 0: no request-rate limit. */
  requestsPerSecond: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface Limiter {
  /** Waits for a slot and a token, runs `fn`, frees the slot. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Holds every new request until `ms` from now (a target's Retry-After applies to the whole app). */
  pause(ms: number): void;
  readonly stats: { requests: number; waitedMs: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Token bucket (burst of one second's worth) plus a concurrency semaphore, per app and per process. One
 * exporter holds an app's lease at a time, so per process is per app in practice.
 */
export function createLimiter(limit: RateLimit, now: () => number = Date.now): Limiter {
  const rate = limit.requestsPerSecond;
  const burst = Math.max(1, rate);
  let tokens = burst;
  let refilledAt = now();
  let pausedUntil = 0;
  let active = 0;
  const waiting: Array<() => void> = [];
  const stats = { requests: 0, waitedMs: 0 };

  async function token(): Promise<void> {
    for (;;) {
      const t = now();
      if (pausedUntil > t) {
        stats.waitedMs += pausedUntil - t;
        await sleep(pausedUntil - t);
        continue;
      }
      if (rate <= 0) return;
      tokens = Math.min(burst, tokens + ((t - refilledAt) / 1000) * rate);
      refilledAt = t;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      const wait = Math.ceil(((1 - tokens) / rate) * 1000);
      stats.waitedMs += wait;
      await sleep(wait);
    }
  }

  async function slot(): Promise<void> {
    if (active < limit.concurrency) {
      active += 1;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  }

  return {
    stats,
    async run(fn) {
      await slot();
      try {
        await token();
        stats.requests += 1;
        return await fn();
      } finally {
        release();
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}

/**
 * The connector with every call going through the limiter; a `rate_limited` answer pauses the app for
 * the target's Retry-After, so one throttled object slows the app instead of hammering the target.
 */
export function limitConnector(connector: Connector, limiter: Limiter): Connector {
  const wrap =
    <A extends unknown[], T>(fn: (...args: A) => Promise<ConnectorResult<T>>) =>
    (...args: A): Promise<ConnectorResult<T>> =>
      limiter.run(async () => {
        const result = await fn(...args);
        if (!result.ok && result.failure.code === 'rate_limited')
          limiter.pause(result.failure.retryAfterMs ?? 1000);
        return result;
      });
  return {
    type: connector.type,
    connect: wrap(() => connector.connect()),
    create: wrap((kind, attributes, members) => connector.create(kind, attributes, members)),
    get: wrap((kind, id) => connector.get(kind, id)),
    find: wrap((kind, attribute, value) => connector.find(kind, attribute, value)),
    update: wrap((kind, id, change, desired) => connector.update(kind, id, change, desired)),
    disable: wrap((kind, id) => connector.disable(kind, id)),
    delete: wrap((kind, id) => connector.delete(kind, id)),
    list: wrap((kind, cursor) => connector.list(kind, cursor)),
    ...(connector.count
      ? { count: wrap((kind) => (connector.count as NonNullable<Connector['count']>)(kind)) }
      : {}),
    addMembers: wrap((groupId, ids) => connector.addMembers(groupId, ids)),
    removeMembers: wrap((groupId, ids) => connector.removeMembers(groupId, ids)),
    close: () => connector.close(),
  };
}

/**
 * A FIFO async mutex. PGlite is a single connection: a transaction and any other statement must not
 * interleave, or the other statement would silently run inside the transaction. Every use of the
 * embedded database (Kysely and the job queue) goes through one Mutex.
 */
export class Mutex {
  #locked = false;
  #waiters: Array<() => void> = [];

  async acquire(): Promise<() => void> {
    if (this.#locked) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#locked = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#locked = false;
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

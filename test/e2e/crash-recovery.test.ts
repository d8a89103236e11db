import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAllUsers, request } from './http.ts';
import { type Exit, killAll, type RunningServer, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

const WRITERS = 4;
const ACKNOWLEDGED_BEFORE_KILL = 150;
const CYCLES = 2;

interface StreamResult {
  acknowledged: string[];
  attempted: number;
  /** Anything but 201 (or a connection error) before the kill: a bug, reported in the assertion. */
  unexpected: string[];
  exit: Exit;
}

/**
 * WRITERS concurrent loops POST users with unique userNames and record every 201. Once
 * ACKNOWLEDGED_BEFORE_KILL are acknowledged, the loop that saw the last one sends SIGKILL while the
 * other loops' requests are still in flight. Loops end on their first connection error after that.
 */
async function writeUntilKilled(server: RunningServer, token: string, prefix: string): Promise<StreamResult> {
  const acknowledged: string[] = [];
  const unexpected: string[] = [];
  let attempted = 0;
  let killing: Promise<Exit> | undefined;
  const maxAttempts = ACKNOWLEDGED_BEFORE_KILL * 20;

  const writer = async (w: number) => {
    for (let i = 0; attempted < maxAttempts; i++) {
      const userName = `${prefix}.w${w}.${i}`;
      attempted += 1;
      try {
        const res = await request(server.url, '/api/v1/users', {
          method: 'POST',
          token,
          body: { userName, displayName: `Crash ${userName}` },
        });
        if (res.status === 201) acknowledged.push(userName);
        else if (!killing) unexpected.push(`${userName}: ${res.status} ${JSON.stringify(res.body)}`);
      } catch (error) {
        if (killing) return; // the connection died with the process: expected
        unexpected.push(`${userName}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      // The other loops' requests are in flight at this moment; this loop's next one races the kill.
      if (acknowledged.length >= ACKNOWLEDGED_BEFORE_KILL && !killing) killing = server.process.kill();
    }
  };

  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  // Should a bug stop every 201, the bounded loop still ends; kill anyway so the cycle can go on.
  const exit = await (killing ?? server.process.kill());
  return { acknowledged, attempted, unexpected, exit };
}

describe('crash recovery: kill -9 during a stream of writes', { timeout: 300_000 }, () => {
  let store: E2eStore;

  beforeAll(async () => {
    store = await createStore();
  });

  afterEach(async () => {
    await killAll();
  });

  afterAll(async () => {
    await killAll();
    await store?.cleanup();
  });

  it(`loses no acknowledged write and reopens cleanly, over ${CYCLES} kill/restart cycles`, async () => {
    let server = await startServer(store.env());
    const token = await store.adminToken();
    const allAcknowledged: string[] = [];

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const stream = await writeUntilKilled(server, token, `crash${cycle}`);
      expect(stream.unexpected, 'responses before the kill').toEqual([]);
      expect(stream.acknowledged.length).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
      expect(stream.exit.signal).toBe('SIGKILL');
      allAcknowledged.push(...stream.acknowledged);

      server = await startServer(store.env());
      const ready = await request(server.url, '/readyz');
      expect(ready.status, JSON.stringify(ready.body)).toBe(200);
      expect(ready.body).toMatchObject({ checks: { database: { ok: true }, migrations: { ok: true } } });

      const users = await listAllUsers(server.url, token);
      const present = new Set(users.map((u) => u.userName));
      const lost = allAcknowledged.filter((name) => !present.has(name));
      expect(lost, `cycle ${cycle}: acknowledged but missing after restart`).toEqual([]);
      // Nothing duplicated and nothing invented: every row is one the stream sent.
      expect(present.size).toBe(users.length);
      expect(users.every((u) => /^crash\d\.w\d\.\d+$/.test(u.userName))).toBe(true);
      expect(users.length).toBeLessThanOrEqual(allAcknowledged.length + WRITERS * CYCLES);
    }

    // After the torn cycles the store still accepts writes and stops cleanly.
    const after = await request(server.url, '/api/v1/users', {
      method: 'POST',
      token,
      body: { userName: 'after.crashes' },
    });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    expect(store.lockExists()).toBe(false);
  });
});

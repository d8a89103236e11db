import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import type { Database } from '../db/index.ts';

let database: Database;

beforeEach(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  await database.close();
});

// pg-boss runs on database.executor and sends some commands as `BEGIN; ...; COMMIT;` in one text. A
// failure inside leaves that session in an aborted transaction; the executor must not hand such a
// session to the next caller (PGlite rolls back; pg-pool discards the client).
it('leaves the shared executor usable after a failed multi-statement command', async () => {
  const { executor } = database;
  await expect(executor.executeSql('begin; select 1; select 1/0; commit;')).rejects.toThrow(
    /division by zero/,
  );

  // More calls than the pool has connections, so a poisoned one would be borrowed again.
  for (let i = 0; i < 12; i++) {
    expect((await executor.executeSql('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect((await executor.executeSql('select $1::int as n', [i])).rows).toEqual([{ n: i }]);
  }
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
  expect(rows).toEqual([{ one: 1 }]);
});

import { type Database, migrateToLatest } from '../src/db/index.ts';
import { installJobSchema } from '../src/jobs/index.ts';

/** What every test database starts with: our migrations and the job queue's schema. */
export async function prepareTemplate(database: Database): Promise<void> {
  await migrateToLatest(database.db as never);
  await installJobSchema(database);
}

import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { type Database, migrateToLatest, openDatabase } from './index.ts';

/**
 * Everything about the `public` schema that our SQL can observe, as sorted plain rows. The job queue's
 * own schema (pgboss) is left out: pg-boss manages it, not our migrations.
 */
async function dumpSchema(db: Kysely<unknown>) {
  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows;
  return {
    tables: await rows(sql`
      select table_name, table_type from information_schema.tables
       where table_schema = 'public' order by table_name`),
    columns: await rows(sql`
      select table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
             is_identity, identity_generation, character_maximum_length, numeric_precision
        from information_schema.columns
       where table_schema = 'public' order by table_name, column_name`),
    indexes: await rows(sql`
      select tablename, indexname, indexdef from pg_indexes
       where schemaname = 'public' order by tablename, indexname`),
    // PostgreSQL 18 (PGlite) also lists NOT NULL as constraints (contype 'n'); 15 does not. Nullability
    // is compared through information_schema.columns instead.
    constraints: await rows(sql`
      select c.conrelid::regclass::text as table_name, c.conname, c.contype::text as contype,
             pg_get_constraintdef(c.oid) as definition
        from pg_constraint c
       where c.connamespace = 'public'::regnamespace and c.contype <> 'n'
       order by 1, 2`),
    triggers: await rows(sql`
      select t.tgrelid::regclass::text as table_name, t.tgname, pg_get_triggerdef(t.oid) as definition,
             t.tgenabled::text as enabled
        from pg_trigger t join pg_class r on r.oid = t.tgrelid
       where r.relnamespace = 'public'::regnamespace and not t.tgisinternal
       order by 1, 2`),
    functions: await rows(sql`
      select p.proname, pg_get_function_identity_arguments(p.oid) as arguments,
             pg_get_function_result(p.oid) as result, l.lanname, p.provolatile::text as volatility,
             p.prosecdef, p.prosrc
        from pg_proc p join pg_language l on l.oid = p.prolang
       where p.pronamespace = 'public'::regnamespace
         -- Functions owned by an extension (pg_trgm) differ by extension version, not by our migrations.
         and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
       order by 1, 2`),
    // pg_sequences, not information_schema.sequences: the latter hides identity columns' sequences.
    sequences: await rows(sql`
      select sequencename as sequence_name, data_type::text as data_type, start_value::text, min_value::text,
             max_value::text, increment_by::text, cycle, cache_size::text
        from pg_sequences
       where schemaname = 'public' order by sequencename`),
  };
}

type Schema = Awaited<ReturnType<typeof dumpSchema>>;

async function freshPGlite(): Promise<Database> {
  const database = await openDatabase({ engine: 'pglite' });
  await migrateToLatest(database.db as unknown as Kysely<unknown>);
  return database;
}

function expectSameSchema(a: Schema, b: Schema): void {
  // Section by section, so a failure points at what differs.
  for (const key of Object.keys(a) as Array<keyof Schema>) {
    expect({ [key]: b[key] }).toEqual({ [key]: a[key] });
  }
}

// One freshly migrated embedded database for the whole file: PGlite's first start takes seconds.
let lite: Database;
let liteSchema: Schema;
beforeAll(async () => {
  lite = await freshPGlite();
  liteSchema = await dumpSchema(lite.db as unknown as Kysely<unknown>);
});
afterAll(async () => {
  await lite?.close();
});

describe('migrated schema', () => {
  it('has the objects the code relies on', () => {
    for (const [section, rows] of Object.entries(liteSchema))
      expect({ section, empty: rows.length === 0 }).toEqual({ section, empty: false });
    expect((liteSchema.tables as Array<{ table_name: string }>).map((t) => t.table_name)).toEqual([
      'activation_codes',
      'activation_sessions',
      'activation_throttle',
      'api_tokens',
      'audit_log',
      'email_deliveries',
      'event_cursors',
      'events',
      'group_members',
      'group_owners',
      'groups',
      'inbound_pending_managers',
      'inbound_records',
      'inbound_runs',
      'inbound_sources',
      'kysely_migration',
      'kysely_migration_lock',
      'outbound_apps',
      'outbound_assignments',
      'outbound_cycles',
      'outbound_links',
      'outbound_log',
      'outbound_pending',
      'scim_extension_schemas',
      'user_credentials',
      'user_sign_ins',
      'users',
      'workflow_callbacks',
      'workflow_extensions',
      'workflow_runs',
      'workflow_scheduler',
      'workflow_task_results',
      'workflow_versions',
      'workflows',
    ]);
    expect((liteSchema.triggers as Array<{ tgname: string }>).map((t) => t.tgname)).toEqual([
      'audit_log_no_truncate',
      'audit_log_no_update_or_delete',
    ]);
    const indexes = liteSchema.indexes as Array<{ indexname: string; indexdef: string }>;
    expect(indexes.find((i) => i.indexname === 'users_user_name_key')?.indexdef).toBe(
      'CREATE UNIQUE INDEX users_user_name_key ON public.users USING btree (lower(user_name))',
    );
    expect((liteSchema.sequences as Array<{ sequence_name: string }>).map((q) => q.sequence_name)).toEqual([
      'audit_log_id_seq',
      'events_id_seq',
      'inbound_records_seq_seq',
      'inbound_runs_seq_seq',
      'outbound_log_id_seq',
    ]);
  });

  it('is the same in the per-test template as after a fresh migration', async () => {
    const template = await openTestDatabase('pglite');
    try {
      expectSameSchema(liteSchema, await dumpSchema(template.db as unknown as Kysely<unknown>));
    } finally {
      await template.close();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('migrated schema on PGlite and PostgreSQL', () => {
  it('is identical', async () => {
    const adminUrl = process.env.TEST_DATABASE_URL!;
    const name = `joinery_schema_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    let postgres: Database | undefined;
    try {
      await admin.query(`create database ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      postgres = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 2 });
      await migrateToLatest(postgres.db as unknown as Kysely<unknown>);
      expectSameSchema(liteSchema, await dumpSchema(postgres.db as unknown as Kysely<unknown>));
    } finally {
      await postgres?.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});

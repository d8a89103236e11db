import { type Kysely, sql } from 'kysely';

/**
 * Exact e-mail lookups (`emails eq "x"`, Entra's matching attribute) as an index lookup. The trigram
 * pre-filter of migration 0002 serves `co`/`sw`/`ew`, but for equality its posting lists for the
 * shared domain part are long (1.8 ms per lookup at 1M users); a GIN index over the array of
 * lower-cased values answers `@> array[...]` directly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function joinery_email_list(emails jsonb) returns text[]
    language sql immutable parallel safe
    as $$ select coalesce(array_agg(lower(e ->> 'value')), '{}') from jsonb_array_elements(emails) e $$`.execute(
    db,
  );
  await sql`create index users_email_list_idx on users using gin (joinery_email_list(emails))`.execute(db);
}

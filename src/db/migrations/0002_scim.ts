import { type Kysely, sql } from 'kysely';

/**
 * SCIM search indexes and admin-declared extension schemas.
 *
 * SCIM filters compare userName, displayName and e-mails case-insensitively (caseExact false), so
 * every index is on lower(...). `text_pattern_ops` serves `sw` (prefix LIKE) whatever the database
 * collation; trigram GIN indexes serve `co` and `ew`. E-mail values are indexed as the lower-cased
 * JSON array of their values, a cheap pre-filter the exact per-element predicate then confirms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`
    create function joinery_email_values(emails jsonb) returns text
    language sql immutable parallel safe
    return lower(jsonb_path_query_array(emails, '$[*].value')::text)`.execute(db);
  await sql`create index users_user_name_pattern_idx on users (lower(user_name) text_pattern_ops)`.execute(
    db,
  );
  await sql`create index users_user_name_trgm_idx on users using gin (lower(user_name) gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index users_display_name_pattern_idx on users (lower(display_name) text_pattern_ops)`.execute(
    db,
  );
  await sql`create index users_display_name_trgm_idx on users using gin (lower(display_name) gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index users_email_values_trgm_idx on users using gin (joinery_email_values(emails) gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index users_live_id_idx on users (id) where deleted_at is null`.execute(db);
  await sql`create index groups_display_name_pattern_idx on groups (lower(display_name) text_pattern_ops)`.execute(
    db,
  );
  await sql`create index groups_live_id_idx on groups (id) where deleted_at is null`.execute(db);

  await sql`
    create table scim_extension_schemas (
      id text primary key,
      name text not null,
      description text not null default '',
      resource_type text not null,
      attributes jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      constraint scim_extension_schemas_resource_type check (resource_type in ('User'))
    )`.execute(db);
}

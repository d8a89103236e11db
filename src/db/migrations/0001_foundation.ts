import { type Kysely, sql } from 'kysely';

/**
 * Directory, audit log, events outbox and API tokens. Forward-only: never edit a migration that has
 * shipped; add a new one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id uuid primary key,
      user_name text not null,
      external_id text,
      employee_id text,
      given_name text,
      family_name text,
      middle_name text,
      honorific_prefix text,
      honorific_suffix text,
      display_name text,
      emails jsonb not null default '[]',
      phone_numbers jsonb not null default '[]',
      title text,
      department text,
      division text,
      cost_center text,
      company_name text,
      employee_type text,
      manager_id uuid references users (id) on delete set null,
      employee_hire_date timestamptz,
      employee_leave_date_time timestamptz,
      account_enabled boolean not null default true,
      timezone text,
      preferred_language text,
      usage_location text,
      personal_email text,
      extension jsonb not null default '{}',
      created_at timestamptz not null,
      updated_at timestamptz not null,
      version integer not null default 1,
      deleted_at timestamptz,
      constraint users_manager_not_self check (manager_id is null or manager_id <> id)
    )`.execute(db);
  // Case-insensitive uniqueness without citext (an extension PGlite must load separately).
  await sql`create unique index users_user_name_key on users (lower(user_name))`.execute(db);
  await sql`create unique index users_external_id_key on users (external_id) where external_id is not null`.execute(
    db,
  );
  await sql`create unique index users_employee_id_key on users (employee_id) where employee_id is not null`.execute(
    db,
  );
  await sql`create index users_manager_id_idx on users (manager_id) where manager_id is not null`.execute(db);
  await sql`create index users_deleted_at_idx on users (deleted_at) where deleted_at is not null`.execute(db);

  await sql`
    create table groups (
      id uuid primary key,
      display_name text not null,
      description text,
      external_id text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      version integer not null default 1,
      deleted_at timestamptz
    )`.execute(db);
  await sql`create unique index groups_external_id_key on groups (external_id) where external_id is not null`.execute(
    db,
  );
  await sql`create index groups_display_name_idx on groups (lower(display_name))`.execute(db);
  await sql`create index groups_deleted_at_idx on groups (deleted_at) where deleted_at is not null`.execute(
    db,
  );

  await sql`
    create table group_owners (
      group_id uuid not null references groups (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      created_at timestamptz not null,
      primary key (group_id, user_id)
    )`.execute(db);
  await sql`create index group_owners_user_id_idx on group_owners (user_id)`.execute(db);

  // A member is a user or a group (nesting); exactly one of the two columns is set so both can carry
  // a foreign key that cascades when the member is purged.
  await sql`
    create table group_members (
      group_id uuid not null references groups (id) on delete cascade,
      member_user_id uuid references users (id) on delete cascade,
      member_group_id uuid references groups (id) on delete cascade,
      created_at timestamptz not null,
      constraint group_members_one_member check (num_nonnulls(member_user_id, member_group_id) = 1),
      constraint group_members_not_self check (member_group_id is null or member_group_id <> group_id)
    )`.execute(db);
  await sql`create unique index group_members_user_key on group_members (group_id, member_user_id) where member_user_id is not null`.execute(
    db,
  );
  await sql`create unique index group_members_group_key on group_members (group_id, member_group_id) where member_group_id is not null`.execute(
    db,
  );
  await sql`create index group_members_member_user_idx on group_members (member_user_id) where member_user_id is not null`.execute(
    db,
  );
  await sql`create index group_members_member_group_idx on group_members (member_group_id) where member_group_id is not null`.execute(
    db,
  );

  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      occurred_at timestamptz not null,
      actor_type text not null,
      actor_id text,
      actor_name text,
      action text not null,
      target_type text,
      target_id text,
      changes jsonb not null default '[]',
      correlation_id text,
      details jsonb
    )`.execute(db);
  await sql`create index audit_log_target_idx on audit_log (target_id, id)`.execute(db);
  await sql`create index audit_log_actor_idx on audit_log (actor_id, id)`.execute(db);
  await sql`create index audit_log_action_idx on audit_log (action, id)`.execute(db);
  await sql`create index audit_log_occurred_at_idx on audit_log (occurred_at, id)`.execute(db);
  // Append-only is enforced by the database, not by convention: no code path (and no careless admin
  // with the application's role) can rewrite history.
  await sql`
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % is not allowed', tg_op using errcode = '42501';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_log_no_update_or_delete before update or delete on audit_log
    for each row execute function audit_log_is_append_only()`.execute(db);
  await sql`
    create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only()`.execute(db);

  // Transactional outbox. "position" is given by the dispatcher's sequencer once the writing
  // transaction has committed, so subscribers can keep a simple cursor without skipping rows that
  // committed late (ids are taken at insert time, not at commit time).
  await sql`
    create table events (
      id bigint generated always as identity primary key,
      position bigint,
      type text not null,
      aggregate_type text not null,
      aggregate_id text not null,
      payload jsonb not null default '{}',
      correlation_id text,
      occurred_at timestamptz not null
    )`.execute(db);
  await sql`create unique index events_position_key on events (position) where position is not null`.execute(
    db,
  );
  await sql`create index events_unsequenced_idx on events (id) where position is null`.execute(db);
  await sql`
    create table event_cursors (
      subscriber text primary key,
      position bigint not null default 0,
      failures integer not null default 0,
      last_error text,
      lease_owner text,
      leased_until timestamptz,
      updated_at timestamptz not null
    )`.execute(db);

  await sql`
    create table api_tokens (
      id uuid primary key,
      name text not null,
      token_hash text not null,
      scopes text[] not null,
      created_at timestamptz not null,
      created_by text,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create unique index api_tokens_token_hash_key on api_tokens (token_hash)`.execute(db);
}

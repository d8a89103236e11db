import { type Kysely, sql } from 'kysely';

/**
 * Lifecycle workflows (definitions and their versions, runs and task results, callbacks of custom
 * task extensions, the scheduler's last pass), e-mail deliveries, and day-1 activation (codes, the
 * short session between proving who you are and setting a password, throttling, credentials).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table workflows (
      id uuid primary key,
      name text not null,
      category text not null,
      enabled boolean not null,
      version integer not null,
      definition jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      deleted_at timestamptz
    )`.execute(db);
  await sql`create unique index workflows_name_idx on workflows (lower(name)) where deleted_at is null`.execute(
    db,
  );

  // Every edit is a new version; runs name the version they ran, so history reads what actually ran.
  await sql`
    create table workflow_versions (
      workflow_id uuid not null references workflows (id) on delete cascade,
      version integer not null,
      definition jsonb not null,
      created_at timestamptz not null,
      actor jsonb not null,
      primary key (workflow_id, version)
    )`.execute(db);

  // The unique occurrence is the at-most-once guarantee: a scheduler pass run twice, or by two copies at
  // once, inserts the same (workflow, version, person, occurrence) and the second insert is a no-op.
  await sql`
    create table workflow_runs (
      id uuid primary key,
      workflow_id uuid not null references workflows (id) on delete cascade,
      version integer not null,
      user_id uuid not null,
      trigger text not null,
      occurrence text not null,
      status text not null,
      next_task integer not null default 0,
      attempts integer not null default 0,
      due_at timestamptz not null,
      claimed_until timestamptz,
      scheduled_for timestamptz,
      created_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      error jsonb,
      actor jsonb not null,
      correlation_id text not null
    )`.execute(db);
  await sql`create unique index workflow_runs_occurrence_idx on workflow_runs (workflow_id, version, user_id, occurrence)`.execute(
    db,
  );
  await sql`create index workflow_runs_due_idx on workflow_runs (due_at) where status = 'queued'`.execute(db);
  await sql`create index workflow_runs_user_idx on workflow_runs (user_id, created_at)`.execute(db);
  await sql`create index workflow_runs_workflow_idx on workflow_runs (workflow_id, created_at)`.execute(db);

  await sql`
    create table workflow_task_results (
      run_id uuid not null references workflow_runs (id) on delete cascade,
      position integer not null,
      task text not null,
      status text not null,
      attempts integer not null default 0,
      started_at timestamptz,
      finished_at timestamptz,
      result jsonb,
      error jsonb,
      primary key (run_id, position)
    )`.execute(db);

  // A launch-and-wait custom task extension is resumed by one call to a single-use URL; only the
  // token's hash is stored.
  await sql`
    create table workflow_callbacks (
      token_hash text primary key,
      run_id uuid not null references workflow_runs (id) on delete cascade,
      position integer not null,
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);

  await sql`
    create table workflow_extensions (
      id uuid primary key,
      name text not null,
      config jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create unique index workflow_extensions_name_idx on workflow_extensions (lower(name))`.execute(
    db,
  );

  // Where the last scheduler pass stopped: the next pass covers (last, now], so downtime is caught up.
  await sql`
    create table workflow_scheduler (
      name text primary key,
      last_pass_at timestamptz not null
    )`.execute(db);

  // Time-based triggers look people up by date ranges; these keep a pass over a million people short.
  await sql`create index users_hire_date_idx on users (employee_hire_date) where employee_hire_date is not null and deleted_at is null`.execute(
    db,
  );
  await sql`create index users_leave_date_idx on users (employee_leave_date_time) where employee_leave_date_time is not null and deleted_at is null`.execute(
    db,
  );
  await sql`create index users_created_at_idx on users (created_at) where deleted_at is null`.execute(db);

  await sql`
    create table user_sign_ins (
      user_id uuid primary key references users (id) on delete cascade,
      last_sign_in_at timestamptz not null
    )`.execute(db);
  await sql`create index user_sign_ins_last_idx on user_sign_ins (last_sign_in_at)`.execute(db);

  await sql`
    create table email_deliveries (
      id uuid primary key,
      to_address text not null,
      subject text not null,
      text_body text not null,
      html_body text,
      template text,
      locale text,
      purpose text,
      user_id uuid,
      run_id uuid,
      status text not null,
      attempts integer not null default 0,
      last_error text,
      message_id text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      sent_at timestamptz,
      correlation_id text not null
    )`.execute(db);
  await sql`create index email_deliveries_created_idx on email_deliveries (created_at)`.execute(db);
  await sql`create index email_deliveries_user_idx on email_deliveries (user_id, created_at) where user_id is not null`.execute(
    db,
  );
  await sql`create index email_deliveries_run_idx on email_deliveries (run_id) where run_id is not null`.execute(
    db,
  );

  await sql`
    create table activation_codes (
      id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      code_hash text not null,
      valid_from timestamptz not null,
      expires_at timestamptz not null,
      created_at timestamptz not null,
      actor jsonb not null,
      used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  // At most one usable code per person: issuing a new one revokes the old in the same transaction.
  await sql`create unique index activation_codes_live_idx on activation_codes (user_id) where used_at is null and revoked_at is null`.execute(
    db,
  );

  await sql`
    create table activation_sessions (
      token_hash text primary key,
      user_id uuid not null references users (id) on delete cascade,
      code_id uuid not null references activation_codes (id) on delete cascade,
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);

  // Failed attempts per person ('user:<id>') and per client address ('client:<ip>').
  await sql`
    create table activation_throttle (
      key text primary key,
      failures integer not null,
      first_failure_at timestamptz not null,
      locked_until timestamptz
    )`.execute(db);

  await sql`
    create table user_credentials (
      user_id uuid primary key references users (id) on delete cascade,
      password_hash text not null,
      activated_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
}

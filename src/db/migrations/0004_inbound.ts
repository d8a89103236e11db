import { type Kysely, sql } from 'kysely';

/**
 * Inbound provisioning: HR sources, runs (one bulkUpload, CSV file or pull), the records of each run
 * (stored before the 202, and the provisioning log once processed), and manager references waiting for
 * their manager to arrive.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inbound_sources (
      id text primary key,
      name text not null,
      type text not null,
      enabled boolean not null default true,
      config jsonb not null,
      watermark text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      version integer not null default 1
    )`.execute(db);

  // seq is the arrival order across runs of a source: records of one person are applied in seq order.
  await sql`
    create table inbound_runs (
      id uuid primary key,
      seq bigint generated always as identity,
      source_id text not null references inbound_sources (id) on delete cascade,
      kind text not null,
      mode text not null,
      status text not null,
      received_at timestamptz not null,
      started_at timestamptz,
      completed_at timestamptz,
      total integer not null,
      counts jsonb not null default '{}',
      hold jsonb,
      error text,
      actor jsonb not null,
      correlation_id text
    )`.execute(db);
  await sql`create index inbound_runs_source_idx on inbound_runs (source_id, seq)`.execute(db);
  await sql`create index inbound_runs_open_idx on inbound_runs (source_id, seq) where status in ('accepted', 'processing', 'held')`.execute(
    db,
  );

  await sql`
    create table inbound_records (
      run_id uuid not null references inbound_runs (id) on delete cascade,
      n integer not null,
      seq bigint generated always as identity,
      source_id text not null,
      person_key text,
      bulk_id text,
      data jsonb not null,
      status text not null default 'pending',
      lifecycle text,
      user_id uuid,
      display_name text,
      changed jsonb,
      error jsonb,
      steps jsonb,
      plan jsonb,
      processed_at timestamptz,
      duration_ms integer,
      primary key (run_id, n)
    )`.execute(db);
  await sql`create index inbound_records_pending_idx on inbound_records (source_id, seq) where status = 'pending'`.execute(
    db,
  );
  await sql`create index inbound_records_person_idx on inbound_records (source_id, person_key, seq)`.execute(
    db,
  );
  await sql`create index inbound_records_processed_idx on inbound_records (processed_at) where processed_at is not null`.execute(
    db,
  );
  await sql`create index inbound_records_user_idx on inbound_records (user_id) where user_id is not null`.execute(
    db,
  );

  // The minutely leave-date pass reads only enabled users with a leave date.
  await sql`create index users_leave_due_idx on users (employee_leave_date_time) where account_enabled and employee_leave_date_time is not null and deleted_at is null`.execute(
    db,
  );

  await sql`
    create table inbound_pending_managers (
      source_id text not null references inbound_sources (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      manager_key text not null,
      created_at timestamptz not null,
      primary key (source_id, user_id)
    )`.execute(db);
  await sql`create index inbound_pending_managers_key_idx on inbound_pending_managers (source_id, manager_key)`.execute(
    db,
  );
}

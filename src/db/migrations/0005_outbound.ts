import { type Kysely, sql } from 'kysely';

/**
 * Outbound provisioning: applications (connector, scope, mappings), who is assigned to them, the links
 * between directory objects and target objects, the work still to export (with escrow: attempts and the
 * time of the next try), cycles (initial, reconcile, plan, apply) and the per-object provisioning log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table outbound_apps (
      id uuid primary key,
      name text not null,
      config jsonb not null,
      version integer not null default 1,
      quarantine jsonb,
      hold jsonb,
      lease_owner text,
      lease_until timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create unique index outbound_apps_name_idx on outbound_apps (lower(name))`.execute(db);

  await sql`
    create table outbound_assignments (
      app_id uuid not null references outbound_apps (id) on delete cascade,
      principal_type text not null,
      principal_id uuid not null,
      app_role text,
      created_at timestamptz not null,
      primary key (app_id, principal_id)
    )`.execute(db);
  await sql`create index outbound_assignments_principal_idx on outbound_assignments (principal_id)`.execute(
    db,
  );

  // exported: the target attributes as last written (or as last read back by reconciliation), so an
  // update sends only what differs and an unchanged object costs no request.
  await sql`
    create table outbound_links (
      app_id uuid not null references outbound_apps (id) on delete cascade,
      object_type text not null,
      object_id uuid not null,
      target_id text not null,
      state text not null,
      exported jsonb not null,
      members jsonb,
      updated_at timestamptz not null,
      primary key (app_id, object_type, object_id)
    )`.execute(db);
  await sql`create index outbound_links_target_idx on outbound_links (app_id, object_type, target_id)`.execute(
    db,
  );

  await sql`
    create table outbound_pending (
      app_id uuid not null references outbound_apps (id) on delete cascade,
      object_type text not null,
      object_id uuid not null,
      cycle_id uuid,
      enqueued_at timestamptz not null,
      due_at timestamptz not null,
      attempts integer not null default 0,
      last_error jsonb,
      force boolean not null default false,
      primary key (app_id, object_type, object_id)
    )`.execute(db);
  // The exporter takes users before groups, oldest first, and walks on from the last row it took (a
  // keyset cursor): a queue table's deleted rows stay in the index until vacuum, and restarting from the
  // beginning each batch would step over all of them (measured: an initial cycle halved its rate).
  await sql`
    create index outbound_pending_order_idx on outbound_pending (app_id, object_type, enqueued_at, object_id)
  `.execute(db);
  await sql`create index outbound_pending_due_idx on outbound_pending (app_id, due_at)`.execute(db);
  // "Has this cycle anything left to try?" after every batch.
  await sql`create index outbound_pending_cycle_idx on outbound_pending (cycle_id) where attempts = 0`.execute(
    db,
  );

  await sql`
    create table outbound_cycles (
      id uuid primary key,
      app_id uuid not null references outbound_apps (id) on delete cascade,
      kind text not null,
      status text not null,
      counts jsonb not null default '{}',
      plan jsonb,
      error text,
      actor jsonb not null,
      started_at timestamptz not null,
      finished_at timestamptz
    )`.execute(db);
  await sql`create index outbound_cycles_app_idx on outbound_cycles (app_id, started_at)`.execute(db);

  await sql`
    create table outbound_log (
      id bigint generated always as identity primary key,
      app_id uuid not null references outbound_apps (id) on delete cascade,
      cycle_id uuid,
      object_type text not null,
      object_id uuid not null,
      display_name text,
      target_id text,
      action text not null,
      status text not null,
      steps jsonb not null,
      modified jsonb not null default '[]',
      error jsonb,
      occurred_at timestamptz not null
    )`.execute(db);
  await sql`create index outbound_log_app_idx on outbound_log (app_id, id)`.execute(db);
  await sql`create index outbound_log_object_idx on outbound_log (object_id, id)`.execute(db);
}

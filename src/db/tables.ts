import type { Generated } from 'kysely';
import type { Json, Timestamp } from './column-types.ts';
import type { LifecycleTables } from './tables-lifecycle.ts';

export interface EmailRow {
  value: string;
  type?: string | null;
  primary?: boolean;
}
export interface PhoneRow {
  value: string;
  type?: string | null;
  primary?: boolean;
}

export interface UsersTable {
  id: string;
  user_name: string;
  external_id: string | null;
  employee_id: string | null;
  given_name: string | null;
  family_name: string | null;
  middle_name: string | null;
  honorific_prefix: string | null;
  honorific_suffix: string | null;
  display_name: string | null;
  emails: Json<EmailRow[]>;
  phone_numbers: Json<PhoneRow[]>;
  title: string | null;
  department: string | null;
  division: string | null;
  cost_center: string | null;
  company_name: string | null;
  employee_type: string | null;
  manager_id: string | null;
  employee_hire_date: Timestamp | null;
  employee_leave_date_time: Timestamp | null;
  account_enabled: Generated<boolean>;
  timezone: string | null;
  preferred_language: string | null;
  usage_location: string | null;
  personal_email: string | null;
  extension: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
  deleted_at: Timestamp | null;
}

export interface GroupsTable {
  id: string;
  display_name: string;
  description: string | null;
  external_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
  deleted_at: Timestamp | null;
}

export interface GroupOwnersTable {
  group_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface GroupMembersTable {
  group_id: string;
  member_user_id: string | null;
  member_group_id: string | null;
  created_at: Timestamp;
}

export interface AuditChange {
  attribute: string;
  before: unknown;
  after: unknown;
}

export interface AuditLogTable {
  id: Generated<number>;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  changes: Json<AuditChange[]>;
  correlation_id: string | null;
  details: Json<Record<string, unknown>> | null;
}

export interface EventsTable {
  id: Generated<number>;
  position: number | null;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: Json<Record<string, unknown>>;
  correlation_id: string | null;
  occurred_at: Timestamp;
}

export interface EventCursorsTable {
  subscriber: string;
  position: number;
  failures: number;
  last_error: string | null;
  lease_owner: string | null;
  leased_until: Timestamp | null;
  updated_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  scopes: string[];
  created_at: Timestamp;
  created_by: string | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ScimExtensionSchemasTable {
  id: string;
  name: string;
  description: string;
  resource_type: string;
  attributes: Json<unknown[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InboundSourcesTable {
  id: string;
  name: string;
  type: string;
  enabled: Generated<boolean>;
  config: Json<Record<string, unknown>>;
  watermark: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface InboundRunsTable {
  id: string;
  seq: Generated<number>;
  source_id: string;
  kind: string;
  mode: string;
  status: string;
  received_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  total: number;
  counts: Json<Record<string, number>>;
  hold: Json<Record<string, unknown>> | null;
  error: string | null;
  actor: Json<Record<string, unknown>>;
  correlation_id: string | null;
}

export interface InboundRecordsTable {
  run_id: string;
  n: number;
  seq: Generated<number>;
  source_id: string;
  person_key: string | null;
  bulk_id: string | null;
  data: Json<Record<string, unknown>>;
  status: Generated<string>;
  lifecycle: string | null;
  user_id: string | null;
  display_name: string | null;
  changed: Json<unknown[]> | null;
  error: Json<Record<string, unknown>> | null;
  steps: Json<unknown[]> | null;
  plan: Json<Record<string, unknown>> | null;
  processed_at: Timestamp | null;
  duration_ms: number | null;
}

export interface InboundPendingManagersTable {
  source_id: string;
  user_id: string;
  manager_key: string;
  created_at: Timestamp;
}

export interface OutboundAppsTable {
  id: string;
  name: string;
  config: Json<Record<string, unknown>>;
  version: Generated<number>;
  quarantine: Json<Record<string, unknown>> | null;
  hold: Json<Record<string, unknown>> | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OutboundAssignmentsTable {
  app_id: string;
  principal_type: 'user' | 'group';
  principal_id: string;
  app_role: string | null;
  created_at: Timestamp;
}

export interface OutboundLinksTable {
  app_id: string;
  object_type: 'user' | 'group';
  object_id: string;
  target_id: string;
  state: 'active' | 'disabled';
  exported: Json<Record<string, unknown>>;
  members: Json<string[]> | null;
  updated_at: Timestamp;
}

export interface OutboundPendingTable {
  app_id: string;
  object_type: 'user' | 'group';
  object_id: string;
  cycle_id: string | null;
  enqueued_at: Timestamp;
  due_at: Timestamp;
  attempts: Generated<number>;
  last_error: Json<Record<string, unknown>> | null;
  force: Generated<boolean>;
}

export interface OutboundCyclesTable {
  id: string;
  app_id: string;
  kind: string;
  status: string;
  counts: Json<Record<string, number>>;
  plan: Json<unknown> | null;
  error: string | null;
  actor: Json<Record<string, unknown>>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface OutboundLogTable {
  id: Generated<number>;
  app_id: string;
  cycle_id: string | null;
  object_type: 'user' | 'group';
  object_id: string;
  display_name: string | null;
  target_id: string | null;
  action: string;
  status: string;
  steps: Json<unknown[]>;
  modified: Json<unknown[]>;
  error: Json<Record<string, unknown>> | null;
  occurred_at: Timestamp;
}

export interface Tables extends LifecycleTables {
  users: UsersTable;
  groups: GroupsTable;
  group_owners: GroupOwnersTable;
  group_members: GroupMembersTable;
  audit_log: AuditLogTable;
  events: EventsTable;
  event_cursors: EventCursorsTable;
  api_tokens: ApiTokensTable;
  scim_extension_schemas: ScimExtensionSchemasTable;
  inbound_sources: InboundSourcesTable;
  inbound_runs: InboundRunsTable;
  inbound_records: InboundRecordsTable;
  inbound_pending_managers: InboundPendingManagersTable;
  outbound_apps: OutboundAppsTable;
  outbound_assignments: OutboundAssignmentsTable;
  outbound_links: OutboundLinksTable;
  outbound_pending: OutboundPendingTable;
  outbound_cycles: OutboundCyclesTable;
  outbound_log: OutboundLogTable;
}

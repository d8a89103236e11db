import type { Generated } from 'kysely';
import type { Json, Timestamp } from './column-types.ts';

/** Tables of lifecycle workflows, e-mail and activation (migration 0006). */

export interface WorkflowsTable {
  id: string;
  name: string;
  category: string;
  enabled: boolean;
  version: number;
  definition: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  version: number;
  definition: Json<Record<string, unknown>>;
  created_at: Timestamp;
  actor: Json<Record<string, unknown>>;
}

export interface WorkflowRunsTable {
  id: string;
  workflow_id: string;
  version: number;
  user_id: string;
  trigger: string;
  occurrence: string;
  status: 'queued' | 'running' | 'waiting' | 'completed' | 'completedWithErrors' | 'failed' | 'cancelled';
  next_task: Generated<number>;
  attempts: Generated<number>;
  due_at: Timestamp;
  claimed_until: Timestamp | null;
  scheduled_for: Timestamp | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  error: Json<Record<string, unknown>> | null;
  actor: Json<Record<string, unknown>>;
  correlation_id: string;
}

export interface WorkflowTaskResultsTable {
  run_id: string;
  position: number;
  task: string;
  status: 'running' | 'waiting' | 'completed' | 'failed' | 'skipped';
  attempts: Generated<number>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  result: Json<Record<string, unknown>> | null;
  error: Json<Record<string, unknown>> | null;
}

export interface WorkflowCallbacksTable {
  token_hash: string;
  run_id: string;
  position: number;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface WorkflowExtensionsTable {
  id: string;
  name: string;
  config: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkflowSchedulerTable {
  name: string;
  last_pass_at: Timestamp;
}

export interface UserSignInsTable {
  user_id: string;
  last_sign_in_at: Timestamp;
}

export interface EmailDeliveriesTable {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  template: string | null;
  locale: string | null;
  purpose: string | null;
  user_id: string | null;
  run_id: string | null;
  status: 'queued' | 'sent' | 'failed' | 'not_configured';
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: Timestamp | null;
  correlation_id: string;
}

export interface ActivationCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  valid_from: Timestamp;
  expires_at: Timestamp;
  created_at: Timestamp;
  actor: Json<Record<string, unknown>>;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ActivationSessionsTable {
  token_hash: string;
  user_id: string;
  code_id: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ActivationThrottleTable {
  key: string;
  failures: number;
  first_failure_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface UserCredentialsTable {
  user_id: string;
  password_hash: string;
  activated_at: Timestamp;
  updated_at: Timestamp;
}

export interface LifecycleTables {
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  workflow_runs: WorkflowRunsTable;
  workflow_task_results: WorkflowTaskResultsTable;
  workflow_callbacks: WorkflowCallbacksTable;
  workflow_extensions: WorkflowExtensionsTable;
  workflow_scheduler: WorkflowSchedulerTable;
  user_sign_ins: UserSignInsTable;
  email_deliveries: EmailDeliveriesTable;
  activation_codes: ActivationCodesTable;
  activation_sessions: ActivationSessionsTable;
  activation_throttle: ActivationThrottleTable;
  user_credentials: UserCredentialsTable;
}

import type { Clock, Logger, SecretBox } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Directory, SyncKey } from '../directory/index.ts';
import type { Jobs } from '../jobs/index.ts';

export interface InboundDeps {
  db: Db;
  clock: Clock;
  directory: Directory;
  jobs: Jobs;
  logger: Logger;
  /** Seals pull-source credentials at rest. */
  secrets: SecretBox;
  /** Zone of people without a valid `timezone`, for when a date-only leave date passes. */
  defaultTimezone: string;
  limits: {
    /** Most operations one bulkUpload may carry (Entra's limit is 50). */
    bulkMaxOperations: number;
    /** Largest bulkUpload or CSV body in bytes. */
    maxPayloadBytes: number;
    /** Records processed per transaction. */
    batchSize: number;
  };
}

/** Final states of a record; `pending` until processed, `planned` in a preview. */
export type RecordStatus =
  | 'pending'
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'disabled'
  | 'enabled'
  | 'skipped'
  | 'failed'
  | 'planned'
  | 'rejected';

export type Lifecycle = 'joiner' | 'mover' | 'leaver' | 'rehire' | 'conversion';

/** Entra's provisioningStepType values, in the order a record passes them. */
export type StepName = 'import' | 'scoping' | 'matching' | 'processing' | 'referenceResolution' | 'export';

export interface Step {
  name: StepName;
  status: 'success' | 'skipped' | 'failure' | 'warning';
  description: string;
  details?: Record<string, unknown>;
}

export interface ModifiedProperty {
  displayName: string;
  oldValue: unknown;
  newValue: unknown;
}

export type RecordFormat = 'scim' | 'flat';

/** A stored record as the pipeline reads it. */
export interface InputRecord {
  runId: string;
  n: number;
  personKey: string | null;
  format: RecordFormat;
  data: Record<string, unknown>;
}

/** What a preview decided for one record, stored so the plan can be applied exactly as computed. */
export interface PlanEntry {
  before: { id: string; version: number } | null;
  input: Record<string, unknown>;
  restore: boolean;
  /** The manager's source key when it was not in the directory yet (linked when it arrives). */
  pendingManagerKey: string | null;
  /** For a create: the directory attribute and value that must still be free when the plan is applied. */
  matchedOn: { attribute: SyncKey; value: string } | null;
  displayName: string | null;
  /** What applying would do: created, updated, enabled, disabled or unchanged. */
  outcome?: RecordStatus;
  lifecycle?: Lifecycle | null;
}

export interface RecordResult {
  runId: string;
  n: number;
  status: RecordStatus;
  lifecycle: Lifecycle | null;
  userId: string | null;
  displayName: string | null;
  changed: ModifiedProperty[];
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
  steps: Step[];
  plan: PlanEntry | null;
  durationMs: number;
}

/** `scimPull` records are SCIM resources (read like bulkUpload ones); `pull` records are flat JSON. */
export type RunKind = 'bulkUpload' | 'csv' | 'pull' | 'scimPull';
export type RunMode = 'apply' | 'preview';
export type RunStatus =
  | 'accepted'
  | 'processing'
  | 'completed'
  | 'held'
  | 'rejected'
  | 'planned'
  | 'applied'
  | 'failed';

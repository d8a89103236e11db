import type { Clock, Logger, SecretBox } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Directory } from '../directory/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { ConnectorDefinition } from './connector.ts';

export interface OutboundLimits {
  /** Objects one export batch takes from the pending queue. */
  batchSize: number;
  /** First escrow retry delay; doubles per attempt up to `retryMaxSeconds`. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** First quarantine retry delay; doubles per quarantine up to a day. */
  quarantineRetrySeconds: number;
  /** An exporter's lease on an app: how long a crashed process keeps others out. */
  leaseSeconds: number;
}

export interface OutboundDeps {
  db: Db;
  clock: Clock;
  directory: Directory;
  jobs: Jobs;
  logger: Logger;
  /** Seals connector credentials at rest. */
  secrets: SecretBox;
  /** Connector types by name (composed in app.ts: connectors sit above this module). */
  connectors: Readonly<Record<string, ConnectorDefinition<unknown>>>;
  limits: OutboundLimits;
  /** Names this process in leases (pid + random), so a restarted process never thinks it holds one. */
  processId: string;
}

/** Entra's provisioningStepType values, in the order an object passes them. */
export type StepName =
  | 'connect'
  | 'import'
  | 'scoping'
  | 'matching'
  | 'processing'
  | 'referenceResolution'
  | 'export';

export interface Step {
  name: StepName;
  status: 'success' | 'skipped' | 'failure' | 'warning';
  description: string;
  details?: Record<string, unknown>;
}

/** What the engine decided (and did) for one object. */
export type ExportAction = 'create' | 'update' | 'link' | 'disable' | 'delete' | 'unchanged' | 'skip';

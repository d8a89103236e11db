/**
 * The catalogue of stable error codes. Tests, the HTTP layer and clients rely on these strings; add new
 * ones, never rename. `http/` maps each code to a status, `scim/` to a scimType.
 */
export const errorCodes = [
  'request.invalid_json',
  'request.invalid',
  'request.unsupported_media_type',
  'request.not_found',
  'auth.unauthenticated',
  'auth.forbidden',
  'directory.user_not_found',
  'directory.group_not_found',
  'directory.member_not_found',
  'directory.uniqueness',
  'directory.membership_cycle',
  'directory.manager_cycle',
  'directory.invalid_value',
  'directory.version_mismatch',
  'directory.not_deleted',
  'directory.restore_window_passed',
  'directory.deleted',
  'token.not_found',
  'audit.invalid_cursor',
  'inbound.invalid_source',
  'inbound.source_not_found',
  'inbound.source_exists',
  'inbound.source_disabled',
  'inbound.run_not_found',
  'inbound.invalid_request',
  'inbound.too_many_operations',
  'inbound.payload_too_large',
  'inbound.invalid_csv',
  'inbound.not_a_plan',
  'inbound.plan_stale',
  'inbound.plan_already_applied',
  'inbound.run_not_held',
  'inbound.wrong_source_type',
  'inbound.pull_failed',
  'mapping.invalid',
  'inbound.no_matching_value',
  'inbound.duplicate_match',
  'inbound.mapping_failed',
  'outbound.invalid_app',
  'outbound.app_not_found',
  'outbound.app_exists',
  'outbound.principal_not_found',
  'outbound.assignment_not_found',
  'outbound.object_not_found',
  'outbound.cycle_not_found',
  'outbound.not_a_plan',
  'outbound.plan_not_ready',
  'outbound.plan_stale',
  'outbound.plan_already_applied',
  'outbound.not_held',
  'outbound.app_disabled',
  'outbound.connector_failed',
  'notifications.invalid_template',
  'notifications.delivery_not_found',
  'activation.user_not_found',
  'activation.no_code',
  'activation.invalid_credentials',
  'activation.locked',
  'activation.not_yet_valid',
  'activation.expired',
  'activation.account_disabled',
  'activation.already_activated',
  'activation.session_invalid',
  'activation.weak_password',
  'workflows.invalid_workflow',
  'workflows.workflow_not_found',
  'workflows.workflow_exists',
  'workflows.version_not_found',
  'workflows.version_mismatch',
  'workflows.template_not_found',
  'workflows.workflow_disabled',
  'workflows.run_not_found',
  'workflows.run_not_retryable',
  'workflows.invalid_extension',
  'workflows.extension_not_found',
  'workflows.extension_exists',
  'workflows.callback_invalid',
  'workflows.task_failed',
  'service.unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** A failure the caller can act on. `retryable` tells the job runner whether trying again can help. */
export interface Failure {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryable: boolean;
  constructor(failure: Failure) {
    super(failure.message);
    this.name = 'AppError';
    this.code = failure.code;
    this.details = failure.details;
    this.retryable = failure.retryable ?? false;
  }
  toFailure(): Failure {
    return { code: this.code, message: this.message, details: this.details, retryable: this.retryable };
  }
}

export function failure(code: ErrorCode, message: string, details?: Record<string, unknown>): Failure {
  return details ? { code, message, details } : { code, message };
}

/** Expected outcomes are values; `Result` carries either the value or a catalogued failure. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(error: Failure): Result<T> => ({ ok: false, error });

/** Turns a failed result into an AppError, for edges (HTTP, CLI) that report failures by throwing. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error);
}

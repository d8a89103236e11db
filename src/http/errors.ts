import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { AppError, type ErrorCode, type Failure, failure } from '../core/index.ts';

/** HTTP status of each catalogued error code. */
export const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  'request.invalid_json': 400,
  'request.invalid': 400,
  'request.unsupported_media_type': 415,
  'request.not_found': 404,
  'auth.unauthenticated': 401,
  'auth.forbidden': 403,
  'directory.user_not_found': 404,
  'directory.group_not_found': 404,
  'directory.member_not_found': 404,
  'directory.uniqueness': 409,
  'directory.membership_cycle': 409,
  'directory.manager_cycle': 409,
  'directory.invalid_value': 400,
  'directory.version_mismatch': 412,
  'directory.not_deleted': 409,
  'directory.restore_window_passed': 410,
  'directory.deleted': 410,
  'token.not_found': 404,
  'audit.invalid_cursor': 400,
  'inbound.invalid_source': 400,
  'inbound.source_not_found': 404,
  'inbound.source_exists': 409,
  'inbound.source_disabled': 409,
  'inbound.run_not_found': 404,
  'inbound.invalid_request': 400,
  'inbound.too_many_operations': 413,
  'inbound.payload_too_large': 413,
  'inbound.invalid_csv': 400,
  'inbound.not_a_plan': 409,
  'inbound.plan_stale': 409,
  'inbound.plan_already_applied': 409,
  'inbound.run_not_held': 409,
  'inbound.wrong_source_type': 409,
  'inbound.pull_failed': 502,
  'mapping.invalid': 400,
  'inbound.no_matching_value': 400,
  'inbound.duplicate_match': 409,
  'inbound.mapping_failed': 400,
  'outbound.invalid_app': 400,
  'outbound.app_not_found': 404,
  'outbound.app_exists': 409,
  'outbound.principal_not_found': 404,
  'outbound.assignment_not_found': 404,
  'outbound.object_not_found': 404,
  'outbound.cycle_not_found': 404,
  'outbound.not_a_plan': 409,
  'outbound.plan_not_ready': 409,
  'outbound.plan_stale': 409,
  'outbound.plan_already_applied': 409,
  'outbound.not_held': 409,
  'outbound.app_disabled': 409,
  'outbound.connector_failed': 502,
  'notifications.invalid_template': 400,
  'notifications.delivery_not_found': 404,
  'activation.user_not_found': 404,
  'activation.no_code': 404,
  'activation.invalid_credentials': 401,
  'activation.locked': 429,
  'activation.not_yet_valid': 403,
  'activation.expired': 410,
  'activation.account_disabled': 403,
  'activation.already_activated': 409,
  'activation.session_invalid': 401,
  'activation.weak_password': 400,
  'workflows.invalid_workflow': 400,
  'workflows.workflow_not_found': 404,
  'workflows.workflow_exists': 409,
  'workflows.version_not_found': 404,
  'workflows.version_mismatch': 412,
  'workflows.template_not_found': 404,
  'workflows.workflow_disabled': 409,
  'workflows.run_not_found': 404,
  'workflows.run_not_retryable': 409,
  'workflows.invalid_extension': 400,
  'workflows.extension_not_found': 404,
  'workflows.extension_exists': 409,
  'workflows.callback_invalid': 404,
  'workflows.task_failed': 502,
  'service.unavailable': 503,
  internal: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

export function errorResponse(c: Context, f: Failure): Response {
  const body: ErrorBody = { error: { code: f.code, message: f.message, details: f.details ?? {} } };
  const headers: Record<string, string> = {};
  if (f.code === 'auth.unauthenticated') headers['WWW-Authenticate'] = 'Bearer realm="joinery"';
  return c.json(body, statusOf[f.code], headers);
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.');
}

/** A zod failure as one 400 that names every offending field. */
export function validationFailure(where: 'body' | 'query' | 'path', error: z.ZodError): Failure {
  const issues = error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: pathOf([...issue.path, key]), message: 'unknown field' }));
    }
    return [{ field: pathOf(issue.path) || where, message: issue.message }];
  });
  const summary = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return failure('request.invalid', `invalid ${where}: ${summary}`, { in: where, issues });
}

export function toFailure(error: unknown): Failure | null {
  if (error instanceof AppError) return error.toFailure();
  return null;
}

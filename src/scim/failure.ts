import type { ErrorCode, Failure } from '../core/index.ts';
import type { ScimError, ScimType } from './errors.ts';

/** The SCIM status and scimType of each catalogued error code (RFC 7644 §3.12). */
const mapping: Record<ErrorCode, [number, ScimType | undefined]> = {
  'request.invalid_json': [400, 'invalidSyntax'],
  'request.invalid': [400, 'invalidValue'],
  'request.unsupported_media_type': [415, undefined],
  'request.not_found': [404, undefined],
  'auth.unauthenticated': [401, undefined],
  'auth.forbidden': [403, undefined],
  'directory.user_not_found': [404, undefined],
  'directory.group_not_found': [404, undefined],
  'directory.member_not_found': [404, undefined],
  'directory.uniqueness': [409, 'uniqueness'],
  'directory.membership_cycle': [400, 'invalidValue'],
  'directory.manager_cycle': [400, 'invalidValue'],
  'directory.invalid_value': [400, 'invalidValue'],
  'directory.version_mismatch': [412, undefined],
  'directory.not_deleted': [409, undefined],
  'directory.restore_window_passed': [404, undefined],
  'directory.deleted': [404, undefined],
  'token.not_found': [404, undefined],
  'audit.invalid_cursor': [400, 'invalidValue'],
  'inbound.invalid_source': [400, 'invalidValue'],
  'inbound.source_not_found': [404, undefined],
  'inbound.source_exists': [409, undefined],
  'inbound.source_disabled': [409, undefined],
  'inbound.run_not_found': [404, undefined],
  'inbound.invalid_request': [400, 'invalidValue'],
  'inbound.too_many_operations': [413, undefined],
  'inbound.payload_too_large': [413, undefined],
  'inbound.invalid_csv': [400, 'invalidValue'],
  'inbound.not_a_plan': [409, undefined],
  'inbound.plan_stale': [409, undefined],
  'inbound.plan_already_applied': [409, undefined],
  'inbound.run_not_held': [409, undefined],
  'inbound.wrong_source_type': [409, undefined],
  'inbound.pull_failed': [502, undefined],
  'mapping.invalid': [400, 'invalidValue'],
  'inbound.no_matching_value': [400, 'invalidValue'],
  'inbound.duplicate_match': [409, undefined],
  'inbound.mapping_failed': [400, 'invalidValue'],
  'service.unavailable': [503, undefined],
  internal: [500, undefined],
};

export function scimErrorOf(failure: Failure): ScimError {
  const [status, scimType] = mapping[failure.code];
  return scimType ? { status, scimType, detail: failure.message } : { status, detail: failure.message };
}

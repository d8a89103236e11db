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
  'service.unavailable': [503, undefined],
  internal: [500, undefined],
};

export function scimErrorOf(failure: Failure): ScimError {
  const [status, scimType] = mapping[failure.code];
  return scimType ? { status, scimType, detail: failure.message } : { status, detail: failure.message };
}

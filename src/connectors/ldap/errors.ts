import type { ConnectorFailure, ConnectorFailureCode } from '../../outbound/index.ts';

/**
 * LDAP result codes and socket errors as connector failures. The connector never lets an ldapts error
 * escape: every call answers a value, and the engine's retry decision rests on `code` and `retryable`.
 */

export const ResultCode = {
  operationsError: 1,
  protocolError: 2,
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  authMethodNotSupported: 7,
  strongerAuthRequired: 8,
  referral: 10,
  adminLimitExceeded: 11,
  unavailableCriticalExtension: 12,
  confidentialityRequired: 13,
  noSuchAttribute: 16,
  undefinedAttributeType: 17,
  inappropriateMatching: 18,
  constraintViolation: 19,
  attributeOrValueExists: 20,
  invalidAttributeSyntax: 21,
  noSuchObject: 32,
  invalidDnSyntax: 34,
  inappropriateAuthentication: 48,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  loopDetect: 54,
  namingViolation: 64,
  objectClassViolation: 65,
  notAllowedOnNonLeaf: 66,
  notAllowedOnRdn: 67,
  entryAlreadyExists: 68,
  objectClassModsProhibited: 69,
  affectsMultipleDsas: 71,
  other: 80,
} as const;

const resultNames = new Map<number, string>(Object.entries(ResultCode).map(([name, code]) => [code, name]));

/** The LDAP result code of an ldapts error, when it carries one. */
export function resultCodeOf(error: unknown): number | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'number') return error.code;
  return undefined;
}

/**
 * Active Directory puts a Win32 error in front of its diagnostic message (`0000052D: Constraint violation
 * - check_password_restrictions ...`) and, for binds, a sub-code (`data 52e`). These are the ones a
 * provisioning run meets; the raw text follows in parentheses.
 */
const adWin32: Record<string, string> = {
  '0000052D': 'the password does not meet the domain password policy (length, complexity or history)',
  '00000056': 'the current password is wrong',
  '0000001F': 'the domain controller refused the operation',
  '00002077': 'the account name or user principal name is already used by another object',
  '00000561': 'the member is not in the group',
  '00000562': 'the member is already in the group',
  '0000208D': 'the object or its parent container does not exist',
  '00002071': 'an object with this name already exists',
  '00000005': 'access denied',
  '000020E7': 'the user principal name or account name is already used in the forest',
  '00000523':
    'the account name is not valid (sAMAccountName: at most 20 characters, no " / \\ [ ] : ; | = , + * ? < >)',
};
const adBindData: Record<string, string> = {
  '525': 'user not found',
  '52e': 'invalid credentials',
  '530': 'logon not permitted at this time',
  '531': 'logon not permitted from this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '701': 'account expired',
  '773': 'the password must be reset before first logon',
  '775': 'account locked out',
};

/** A human sentence for an AD diagnostic, or undefined when the text is not AD-shaped. */
export function explainAdDiagnostic(message: string): string | undefined {
  const win32 = /^([0-9A-F]{8}):/i.exec(message.trim())?.[1]?.toUpperCase();
  const data = /\bdata ([0-9a-f]{1,4})\b/i.exec(message)?.[1]?.toLowerCase();
  if (data !== undefined && adBindData[data]) return `Active Directory: ${adBindData[data]}`;
  if (win32 !== undefined && adWin32[win32]) return `Active Directory: ${adWin32[win32]}`;
  return undefined;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);
const networkText =
  /connection (?:timeout|closed)|operation timed out|socket (?:error|connection not established)/i;

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** TLS failures are configuration problems (wrong CA, host name): retrying alone cannot help. */
function isTlsError(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)
  );
}

export interface FailureContext {
  /** What was being done, for the message (`create uid=a,ou=people,...`). */
  operation: string;
  /** Strings that must never appear in a message (the bind password, a password being set). */
  secrets: readonly string[];
  /** True for the AD flavor: read AD's extended diagnostics. */
  ad?: boolean;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('********');
  return out;
}

function fail(
  code: ConnectorFailureCode,
  retryable: boolean,
  message: string,
  status?: number,
): ConnectorFailure {
  return status === undefined ? { code, message, retryable } : { code, message, retryable, status };
}

/** Any error thrown by ldapts or the socket, as a connector failure. */
export function toFailure(error: unknown, context: FailureContext): ConnectorFailure {
  const raw = error instanceof Error ? error.message : String(error);
  const text = scrub(raw, context.secrets);
  const where = context.operation;
  const status = resultCodeOf(error);

  if (status === undefined) {
    if (isTlsError(error))
      return fail('unreachable', false, `${where}: TLS failed (${text}); check tls.ca and the host name`);
    const code = errorCode(error);
    if ((code !== undefined && networkCodes.has(code)) || networkText.test(raw))
      return fail('unreachable', true, `${where}: the directory could not be reached (${text})`);
    return fail('server', true, `${where}: ${text}`);
  }

  const explained = context.ad ? explainAdDiagnostic(raw) : undefined;
  const name = resultNames.get(status) ?? `result ${status}`;
  const detail = text ? `${name}: ${text}` : name;
  const message = explained ? `${where}: ${explained} (${detail})` : `${where}: ${detail}`;

  switch (status) {
    case ResultCode.invalidCredentials:
    case ResultCode.inappropriateAuthentication:
    case ResultCode.authMethodNotSupported:
      return fail('auth', false, message, status);
    case ResultCode.insufficientAccessRights:
    case ResultCode.strongerAuthRequired:
    case ResultCode.confidentialityRequired:
      return fail('forbidden', false, message, status);
    case ResultCode.busy:
    case ResultCode.adminLimitExceeded:
      return fail('rate_limited', true, message, status);
    case ResultCode.unwillingToPerform:
      // AD answers 53 for policy refusals (a weak password, unicodePwd over plain LDAP): not transient.
      if (explained !== undefined) return fail('invalid', false, message, status);
      return fail('server', true, message, status);
    case ResultCode.unavailable:
    case ResultCode.operationsError:
    case ResultCode.timeLimitExceeded:
    case ResultCode.loopDetect:
    case ResultCode.other:
      return fail('server', true, message, status);
    case ResultCode.entryAlreadyExists:
      return fail('conflict', false, message, status);
    case ResultCode.noSuchObject:
      return fail('not_found', false, message, status);
    case ResultCode.unavailableCriticalExtension:
    case ResultCode.affectsMultipleDsas:
    case ResultCode.referral:
      return fail('unsupported', false, message, status);
    case ResultCode.noSuchAttribute:
    case ResultCode.undefinedAttributeType:
    case ResultCode.inappropriateMatching:
    case ResultCode.constraintViolation:
    case ResultCode.attributeOrValueExists:
    case ResultCode.invalidAttributeSyntax:
    case ResultCode.invalidDnSyntax:
    case ResultCode.namingViolation:
    case ResultCode.objectClassViolation:
    case ResultCode.notAllowedOnNonLeaf:
    case ResultCode.notAllowedOnRdn:
    case ResultCode.objectClassModsProhibited:
      return fail('invalid', false, message, status);
    default:
      return fail('server', false, message, status);
  }
}

/** A failure the connector decides itself (bad input), before anything is sent. */
export function invalid(message: string): ConnectorFailure {
  return { code: 'invalid', message, retryable: false };
}

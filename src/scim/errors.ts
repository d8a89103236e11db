/**
 * SCIM error types (RFC 7644 §3.12). The pure SCIM code reports problems as values of this shape; the
 * HTTP edge renders them with the SCIM Error schema (status as a string).
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface ScimError {
  status: number;
  scimType?: ScimType;
  detail: string;
}

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimResult<T> = { ok: true; value: T } | { ok: false; error: ScimError };

export const scimOk = <T>(value: T): ScimResult<T> => ({ ok: true, value });
export const scimErr = <T = never>(
  status: number,
  scimType: ScimType | undefined,
  detail: string,
): ScimResult<T> => ({ ok: false, error: scimType ? { status, scimType, detail } : { status, detail } });

/** The body of an error response: `status` is a string per RFC 7644 §3.12. */
export function scimErrorBody(error: ScimError): Record<string, unknown> {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}

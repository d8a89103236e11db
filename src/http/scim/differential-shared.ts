/** Small helpers the differential test's generators and peer share. */
export type Resource = Record<string, unknown>;
export const CORE_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

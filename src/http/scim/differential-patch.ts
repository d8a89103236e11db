/**
 * PATCH requests for the SCIMMY differential test: their shape and what is deliberately not generated.
 * The generator is differential-patch-gen.ts; SCIMMY's application of a request and the normal form
 * both results are compared in are differential-patch-peer.ts.
 *
 * Not generated, because Joinery's answer is the defensible one and SCIMMY's is not comparable:
 * - attribute names in another case inside a value filter or a pathless value (`{"TITLE": ...}`). Paths
 *   do vary in case and may carry the core schema URN (RFC 7643 §2.1, RFC 7644 §3.10); SCIMMY, which
 *   answers invalidPath to both, is given the canonical spelling. Operation names vary in case too.
 * - `add` through a value filter that matches nothing (`emails[type eq "fax"].value`): SCIMMY answers
 *   noTarget, Joinery creates the element the filter describes, as Entra expects. RFC 7644 §3.5.2.1 does
 *   not say what an add through a filter without match does; replace through one is generated (both
 *   must answer noTarget, §3.5.2.3).
 * - re-adding a value already present: SCIMMY appends a duplicate; §3.5.2.1 says "no changes SHOULD be
 *   made" and Joinery keeps one. Added values are always new.
 * - sub-attributes of every element at once (`emails.type` without a filter): SCIMMY throws a TypeError
 *   ("trap returned falsish"); RFC 7644 is silent on the case.
 * - removing `emails[...].value` (or a phone number's): Joinery keeps e-mails and phone numbers only with
 *   a value and refuses the result (400); an element without a value is meaningless, and SCIMMY keeps
 *   `{type, primary}`.
 * - values Joinery validates (e-mail addresses, phone numbers, language tags, IANA zones, uuids of
 *   existing users as manager, unique userName/externalId/employeeNumber, no manager cycles) are always
 *   valid: SCIMMY validates none of them, and RFC 7644 §3.12 lets a server refuse them (invalidValue,
 *   uniqueness).
 * - booleans spelt as strings (`"True"`, Entra's habit): Joinery accepts them, SCIMMY refuses;
 *   RFC 7643 §2.3.2 booleans are JSON true/false.
 * - unknown attributes: SCIMMY refuses `{"fooBar": 1}` (invalidPath), Joinery ignores what it does not
 *   store, as RFC 7644 §3.3 allows. Attributes SCIMMY knows and Joinery does not store (nickName, an
 *   e-mail's display) are generated and normalised away.
 */
import { ENTERPRISE_URN } from './differential-data.ts';

/** A type, not an interface, so that it passes as the Record test/scim.ts `patch()` takes. */
export type PatchOperation = {
  op: string;
  path?: string;
  value?: unknown;
};
export interface PatchCase {
  /** Index into the subjects the arbitrary was built for. */
  subject: number;
  operations: PatchOperation[];
}

export const ENT = ENTERPRISE_URN;
export const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
export type Multi = 'emails' | 'phoneNumbers';
export const MULTIS: Multi[] = ['emails', 'phoneNumbers'];

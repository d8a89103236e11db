/**
 * Shared fixtures of the PATCH tests (not a test file itself, so vitest does not run it). Kept free of
 * vitest so that nothing here can leak into the production import graph by accident.
 */
import type { ScimError, ScimResult } from '../errors.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, userResourceSchemas } from '../schemas/index.ts';
import { applyPatch, type ScimResource } from './index.ts';

/** Spelled out rather than imported, so that a wrong constant cannot make the tests agree with it. */
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const users = userResourceSchemas();

export const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** RFC 7643 §8.2-style user with the enterprise extension, a primary e-mail and read-only data. */
export function richUser(): ScimResource {
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    id: '2819c223-7f76-453a-919d-413861904646',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    groups: [{ value: 'g1', display: 'Staff', type: 'direct' }],
    [ENTERPRISE_USER]: { employeeNumber: '701984', manager: { value: 'm1', displayName: 'John Smith' } },
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', version: 'W/"3694e05e9dff591"' },
  };
}

export function group(): ScimResource {
  return {
    schemas: [CORE_GROUP],
    id: '40734ae655284ad3abcc',
    displayName: 'Group1DisplayName',
    members: [
      { value: 'u1', type: 'User', display: 'One' },
      { value: 'u2', type: 'User' },
    ],
  };
}

/** Applies operations to a fresh richUser(). */
export const run = (...ops: unknown[]) => applyPatch(richUser(), patch(...ops), users);

/** The resource of a result that must have succeeded; throws (failing the test) otherwise. */
export function ok(result: ScimResult<ScimResource>): ScimResource {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

/** The error of a result that must have failed; throws (failing the test) otherwise. */
export function failure(result: ScimResult<unknown>): ScimError {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

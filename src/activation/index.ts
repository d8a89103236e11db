import type { RequestContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { issueCode, issueCodes, reissue, revoke, status } from './codes.ts';
import { complete } from './complete.ts';
import type { Activation, ActivationDeps } from './types.ts';
import { createVerify } from './verify.ts';

/**
 * Day-1 activation: a new starter proves who they are with a one-time code and one fact HR knows about
 * them, then sets their password. Codes and step-2 tokens are stored hashed; failures lock per person
 * and per client address.
 */
export { CODE_ALPHABET, normalizeCode } from './code-hash.ts';
export { factLabel } from './facts.ts';
export { PASSWORD_MAX_LENGTH, type WeakReason, weakReasonText } from './password-policy.ts';
export type * from './types.ts';
export { SESSION_MINUTES } from './verify.ts';

export function createActivation(deps: ActivationDeps): Activation {
  const verify = createVerify(deps);
  return {
    issueCode: (tx: Tx, ctx: RequestContext, userId: string) => issueCode(deps, tx, ctx, userId),
    issueCodes: (tx: Tx, ctx: RequestContext, userIds: readonly string[]) =>
      issueCodes(deps, tx, ctx, userIds),
    reissue: (ctx, userId) => reissue(deps, ctx, userId),
    revoke: (ctx, userId) => revoke(deps, ctx, userId),
    status: (userId) => status(deps, userId),
    verify,
    complete: (input) => complete(deps, input),
    settings: Object.freeze({ ...deps.settings }),
  };
}

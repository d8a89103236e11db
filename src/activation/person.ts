import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../core/index.ts';
import type { User } from '../directory/index.ts';

/**
 * The person acting on their own account (no token: they proved who they are with the code), for the
 * audit log and the confirmation e-mail.
 */
export function personContext(user: Pick<User, 'id' | 'userName'>, correlationId?: string): RequestContext {
  return {
    actor: { type: 'user', id: user.id, name: user.userName },
    correlationId: correlationId ?? `activation-${randomUUID()}`,
  };
}

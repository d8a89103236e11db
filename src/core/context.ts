/** Who is acting. Tokens act for integrations, users for people, system for schedules and jobs. */
export interface Actor {
  type: 'token' | 'user' | 'system';
  id: string | null;
  name?: string | null;
}

/** Travels with every change so the audit log and events can say who did it and as part of what. */
export interface RequestContext {
  actor: Actor;
  correlationId: string;
  /**
   * When one call acts for many people on behalf of separate units of work (a workflow executes one
   * task for a batch of runs), each person's audit rows and events carry their own unit's id: user id →
   * correlation id. People not listed get `correlationId`.
   */
  correlationIds?: ReadonlyMap<string, string>;
}

/** The correlation id of the rows written about `userId`. */
export function correlationFor(ctx: RequestContext, userId: string): string {
  return ctx.correlationIds?.get(userId) ?? ctx.correlationId;
}

export const systemActor: Actor = { type: 'system', id: null, name: 'joinery' };

export function systemContext(correlationId: string): RequestContext {
  return { actor: systemActor, correlationId };
}

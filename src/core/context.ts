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
}

export const systemActor: Actor = { type: 'system', id: null, name: 'joinery' };

export function systemContext(correlationId: string): RequestContext {
  return { actor: systemActor, correlationId };
}

import type { Tx } from '../db/index.ts';
import type { User } from '../directory/index.ts';
import type { EmailChange, EmailPerson } from '../notifications/index.ts';

/** The person a run acts for, with their manager, as tasks and e-mail templates need them. */
export interface Subject {
  user: User;
  manager: User | null;
}

export function workEmail(user: User): string | null {
  const primary = user.emails.find((e) => e.primary) ?? user.emails[0];
  return primary?.value ?? null;
}

export function emailPerson(user: User): EmailPerson {
  return {
    userName: user.userName,
    displayName: user.displayName,
    givenName: user.givenName,
    familyName: user.familyName,
    mail: workEmail(user),
    department: user.department,
    title: user.title,
    employeeHireDate: user.employeeHireDate,
    employeeLeaveDateTime: user.employeeLeaveDateTime,
    timezone: user.timezone,
  };
}

/**
 * What changed for a mover notice: the directory's audit entry of the change that triggered the run
 * (same correlation as the event), else the person's latest update.
 */
export async function changesFor(tx: Tx, userId: string, occurrence: string): Promise<EmailChange[]> {
  const eventId = /^event:(\d+)$/.exec(occurrence)?.[1];
  let correlation: string | null = null;
  if (eventId) {
    const event = await tx
      .selectFrom('events')
      .select('correlation_id')
      .where('id', '=', Number(eventId))
      .executeTakeFirst();
    correlation = event?.correlation_id ?? null;
  }
  let q = tx
    .selectFrom('audit_log')
    .select('changes')
    .where('target_id', '=', userId)
    .where('action', '=', 'user.update');
  if (correlation) q = q.where('correlation_id', '=', correlation);
  const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
  return (row?.changes ?? []).map((c) => ({ attribute: c.attribute, before: c.before, after: c.after }));
}

import { isUuid } from '../core/index.ts';
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
 * What changed for a mover notice: for a membership event, the group joined or left; otherwise the
 * directory's audit entry of the change that triggered the run (same correlation as the event), else
 * the person's latest update. Managers are shown by name, not by id.
 */
export async function changesFor(tx: Tx, userId: string, occurrence: string): Promise<EmailChange[]> {
  const eventId = /^event:(\d+)$/.exec(occurrence)?.[1];
  let correlation: string | null = null;
  if (eventId) {
    const event = await tx
      .selectFrom('events')
      .select(['type', 'payload', 'correlation_id'])
      .where('id', '=', Number(eventId))
      .executeTakeFirst();
    if (event && (event.type === 'membership.added' || event.type === 'membership.removed')) {
      const group = await tx
        .selectFrom('groups')
        .select('display_name')
        .where('id', '=', String(event.payload.groupId))
        .executeTakeFirst();
      const name = group?.display_name ?? String(event.payload.groupId);
      return [
        event.type === 'membership.added'
          ? { attribute: 'groups', before: null, after: name }
          : { attribute: 'groups', before: name, after: null },
      ];
    }
    correlation = event?.correlation_id ?? null;
  }
  let q = tx
    .selectFrom('audit_log')
    .select('changes')
    .where('target_id', '=', userId)
    .where('action', '=', 'user.update');
  if (correlation) q = q.where('correlation_id', '=', correlation);
  const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
  const changes = (row?.changes ?? []).map((c) => ({
    attribute: c.attribute,
    before: c.before,
    after: c.after,
  }));
  return namedManagers(tx, changes);
}

/** A managerId change as the managers' names. */
async function namedManagers(tx: Tx, changes: EmailChange[]): Promise<EmailChange[]> {
  const ids = changes
    .filter((c) => c.attribute === 'managerId')
    .flatMap((c) => [c.before, c.after])
    .filter((v): v is string => typeof v === 'string' && isUuid(v));
  if (ids.length === 0) return changes;
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'display_name', 'user_name'])
    .where('id', 'in', ids)
    .execute();
  const names = new Map(rows.map((r) => [r.id, r.display_name ?? r.user_name]));
  const name = (v: unknown) => (typeof v === 'string' ? (names.get(v) ?? v) : v);
  return changes.map((c) =>
    c.attribute === 'managerId' ? { attribute: 'manager', before: name(c.before), after: name(c.after) } : c,
  );
}

import type { User } from '../directory/index.ts';
import type { EmailPerson } from './types.ts';

/** A person's work address: the primary e-mail, else the first. */
export function workEmailOf(user: User): string | null {
  return (user.emails.find((e) => e.primary) ?? user.emails[0])?.value ?? null;
}

/** A directory user as e-mail templates see them. */
export function emailPersonOf(user: User): EmailPerson {
  return {
    userName: user.userName,
    displayName: user.displayName,
    givenName: user.givenName,
    familyName: user.familyName,
    mail: workEmailOf(user),
    department: user.department,
    title: user.title,
    employeeHireDate: user.employeeHireDate,
    employeeLeaveDateTime: user.employeeLeaveDateTime,
    timezone: user.timezone,
  };
}

import type { Group, User } from '../directory/index.ts';
import { flatSourceRecord, type SourceRecord } from '../mapping/index.ts';

function primaryEmail(user: User): string | null {
  const pick =
    user.emails.find((e) => e.primary) ?? user.emails.find((e) => e.type === 'work') ?? user.emails[0];
  return pick?.value ?? null;
}

const phone = (user: User, type: string): string | null =>
  user.phoneNumbers.find((p) => p.type === type)?.value ?? null;

/**
 * A directory user as outbound mappings read it. Joinery's own attribute names, plus the names Entra's
 * outbound mappings use for the same facts (`objectId`, `userPrincipalName`, `surname`, `mail`,
 * `jobTitle`, `IsSoftDeleted`...), so mappings written for Entra work unchanged. Extension attributes
 * appear under their own names. `manager` is the manager's directory id; the engine turns it into the
 * manager's id in the target.
 */
export function userRecord(user: User, extra: { appRole: string | null }): SourceRecord {
  const mail = primaryEmail(user);
  return flatSourceRecord({
    ...user.extension,
    id: user.id,
    objectId: user.id,
    userName: user.userName,
    userPrincipalName: user.userName,
    externalId: user.externalId,
    employeeId: user.employeeId,
    givenName: user.givenName,
    familyName: user.familyName,
    surname: user.familyName,
    middleName: user.middleName,
    honorificPrefix: user.honorificPrefix,
    honorificSuffix: user.honorificSuffix,
    displayName: user.displayName,
    mail,
    otherMails: user.emails.filter((e) => e.value !== mail).map((e) => e.value),
    mobile: phone(user, 'mobile'),
    telephoneNumber: phone(user, 'work'),
    title: user.title,
    jobTitle: user.title,
    department: user.department,
    division: user.division,
    costCenter: user.costCenter,
    companyName: user.companyName,
    employeeType: user.employeeType,
    manager: user.managerId,
    employeeHireDate: user.employeeHireDate,
    employeeLeaveDateTime: user.employeeLeaveDateTime,
    accountEnabled: user.accountEnabled,
    IsSoftDeleted: user.deletedAt !== null,
    timezone: user.timezone,
    preferredLanguage: user.preferredLanguage,
    usageLocation: user.usageLocation,
    personalEmail: user.personalEmail,
    appRole: extra.appRole,
  });
}

export function groupRecord(group: Group): SourceRecord {
  return flatSourceRecord({
    id: group.id,
    objectId: group.id,
    displayName: group.displayName,
    description: group.description,
    externalId: group.externalId,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9._-]/g, ''),
  });
}

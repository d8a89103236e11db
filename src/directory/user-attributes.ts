import type { EmailRow, PhoneRow, UsersTable } from '../db/index.ts';

export type Email = EmailRow;
export type PhoneNumber = PhoneRow;

/** The writable attributes of a user, as the admin API and every module see them. */
export interface UserAttributes {
  userName: string;
  externalId: string | null;
  employeeId: string | null;
  givenName: string | null;
  familyName: string | null;
  middleName: string | null;
  honorificPrefix: string | null;
  honorificSuffix: string | null;
  displayName: string | null;
  emails: Email[];
  phoneNumbers: PhoneNumber[];
  title: string | null;
  department: string | null;
  division: string | null;
  costCenter: string | null;
  companyName: string | null;
  employeeType: string | null;
  managerId: string | null;
  employeeHireDate: string | null;
  employeeLeaveDateTime: string | null;
  accountEnabled: boolean;
  timezone: string | null;
  preferredLanguage: string | null;
  usageLocation: string | null;
  personalEmail: string | null;
  extension: Record<string, unknown>;
}

export interface User extends UserAttributes {
  id: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  deletedAt: string | null;
}

type SqlType = 'text' | 'uuid' | 'jsonb' | 'timestamptz' | 'boolean';
type Column = keyof UsersTable & string;

/**
 * One row per attribute: its column and SQL type. Row mapping, diffs for the audit log and the bulk
 * write statements are all generated from this table, so adding an attribute is a one-line change
 * (plus a migration).
 */
export const userAttributeColumns: ReadonlyArray<readonly [keyof UserAttributes, Column, SqlType]> = [
  ['userName', 'user_name', 'text'],
  ['externalId', 'external_id', 'text'],
  ['employeeId', 'employee_id', 'text'],
  ['givenName', 'given_name', 'text'],
  ['familyName', 'family_name', 'text'],
  ['middleName', 'middle_name', 'text'],
  ['honorificPrefix', 'honorific_prefix', 'text'],
  ['honorificSuffix', 'honorific_suffix', 'text'],
  ['displayName', 'display_name', 'text'],
  ['emails', 'emails', 'jsonb'],
  ['phoneNumbers', 'phone_numbers', 'jsonb'],
  ['title', 'title', 'text'],
  ['department', 'department', 'text'],
  ['division', 'division', 'text'],
  ['costCenter', 'cost_center', 'text'],
  ['companyName', 'company_name', 'text'],
  ['employeeType', 'employee_type', 'text'],
  ['managerId', 'manager_id', 'uuid'],
  ['employeeHireDate', 'employee_hire_date', 'timestamptz'],
  ['employeeLeaveDateTime', 'employee_leave_date_time', 'timestamptz'],
  ['accountEnabled', 'account_enabled', 'boolean'],
  ['timezone', 'timezone', 'text'],
  ['preferredLanguage', 'preferred_language', 'text'],
  ['usageLocation', 'usage_location', 'text'],
  ['personalEmail', 'personal_email', 'text'],
  ['extension', 'extension', 'jsonb'],
];

export const userAttributeNames = userAttributeColumns.map(([name]) => name);

export const emptyUserAttributes: Omit<UserAttributes, 'userName'> = {
  externalId: null,
  employeeId: null,
  givenName: null,
  familyName: null,
  middleName: null,
  honorificPrefix: null,
  honorificSuffix: null,
  displayName: null,
  emails: [],
  phoneNumbers: [],
  title: null,
  department: null,
  division: null,
  costCenter: null,
  companyName: null,
  employeeType: null,
  managerId: null,
  employeeHireDate: null,
  employeeLeaveDateTime: null,
  accountEnabled: true,
  timezone: null,
  preferredLanguage: null,
  usageLocation: null,
  personalEmail: null,
  extension: {},
};

const iso = (d: Date | string | null): string | null =>
  d === null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString();

export interface UserRow {
  [column: string]: unknown;
}

export function rowToUser(row: UserRow): User {
  const user: Record<string, unknown> = {
    id: row.id,
    createdAt: iso(row.created_at as Date),
    updatedAt: iso(row.updated_at as Date),
    version: row.version,
    deletedAt: iso((row.deleted_at as Date | null) ?? null),
  };
  for (const [name, column, type] of userAttributeColumns) {
    const value = row[column] ?? null;
    user[name] = type === 'timestamptz' ? iso(value as Date | null) : value;
  }
  return user as unknown as User;
}

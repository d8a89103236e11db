import type { User, UserCreateInput } from '../../directory/index.ts';
import {
  CORE_USER,
  ENTERPRISE_USER,
  JOINERY_USER,
  type SchemaDefinition,
  type ScimResource,
} from '../../scim/index.ts';
import { etagOf } from './respond.ts';

const drop = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;

const nonEmpty = (o: Record<string, unknown>) => Object.keys(o).length > 0;

function formattedName(u: User): string | null {
  const parts = [u.honorificPrefix, u.givenName, u.middleName, u.familyName, u.honorificSuffix].filter(
    Boolean,
  );
  return parts.length ? parts.join(' ') : null;
}

/** A directory user as a SCIM User resource (RFC 7643 §4.1, §4.3), with meta and the weak ETag. */
export function userToScim(u: User, baseUrl: string, custom: readonly SchemaDefinition[]): ScimResource {
  const name = drop({
    formatted: formattedName(u),
    familyName: u.familyName,
    givenName: u.givenName,
    middleName: u.middleName,
    honorificPrefix: u.honorificPrefix,
    honorificSuffix: u.honorificSuffix,
  });
  const enterprise = drop({
    employeeNumber: u.employeeId,
    costCenter: u.costCenter,
    organization: u.companyName,
    division: u.division,
    department: u.department,
    manager: u.managerId ? { value: u.managerId, $ref: `${baseUrl}/Users/${u.managerId}` } : null,
  });
  const joinery = drop({
    employeeHireDate: u.employeeHireDate,
    employeeLeaveDateTime: u.employeeLeaveDateTime,
    usageLocation: u.usageLocation,
    personalEmail: u.personalEmail,
  });
  const schemas = [CORE_USER];
  const resource: ScimResource = {
    schemas,
    id: u.id,
    ...drop({ externalId: u.externalId }),
    userName: u.userName,
    ...(nonEmpty(name) ? { name } : {}),
    ...drop({
      displayName: u.displayName,
      title: u.title,
      userType: u.employeeType,
      preferredLanguage: u.preferredLanguage,
      timezone: u.timezone,
    }),
    active: u.accountEnabled,
    ...(u.emails.length ? { emails: u.emails.map((e) => drop({ ...e })) } : {}),
    ...(u.phoneNumbers.length ? { phoneNumbers: u.phoneNumbers.map((p) => drop({ ...p })) } : {}),
  };
  if (nonEmpty(enterprise)) {
    schemas.push(ENTERPRISE_USER);
    resource[ENTERPRISE_USER] = enterprise;
  }
  if (nonEmpty(joinery)) {
    schemas.push(JOINERY_USER);
    resource[JOINERY_USER] = joinery;
  }
  for (const schema of custom) {
    const values: Record<string, unknown> = {};
    for (const a of schema.attributes) {
      const v = u.extension[a.name];
      if (v !== undefined && v !== null) values[a.name] = v;
    }
    if (nonEmpty(values)) {
      schemas.push(schema.id);
      resource[schema.id] = values;
    }
  }
  resource.meta = {
    resourceType: 'User',
    created: u.createdAt,
    lastModified: u.updatedAt,
    location: `${baseUrl}/Users/${u.id}`,
    version: etagOf(u.version),
  };
  return resource;
}

/** Case-insensitive property read (RFC 7643 §2.1: attribute names are case-insensitive). */
export function prop(o: unknown, name: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** "" clears an attribute, as Entra sends it; a non-string passes through for validation to name. */
const str = (v: unknown): string | null | undefined =>
  v === undefined ? undefined : v === null || v === '' ? null : (v as string);

/** Entra sends booleans as "True"/"False"; anything else is left for validation to reject. */
export function bool(v: unknown): unknown {
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return v;
}

function multi(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return v;
  return v.map((e) =>
    typeof e === 'object' && e !== null
      ? drop({ value: prop(e, 'value'), type: prop(e, 'type'), primary: bool(prop(e, 'primary')) })
      : e,
  );
}

function managerId(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  const value = prop(v, 'value');
  return value === '' || value === undefined ? null : value;
}

/**
 * The writable attributes of a full SCIM User as the directory's input, for POST, PUT and the result
 * of a PATCH: absent attributes become null (PUT replaces). Unknown attributes are ignored; declared
 * custom extension attributes are replaced, other extension keys are left alone by the caller.
 */
export function scimToUserInput(
  r: ScimResource,
  custom: readonly SchemaDefinition[],
): Record<string, unknown> {
  const name = prop(r, 'name');
  const ext = (uri: string) => prop(r, uri);
  const enterprise = ext(ENTERPRISE_USER);
  const joinery = ext(JOINERY_USER);
  const extension: Record<string, unknown> = {};
  for (const schema of custom) {
    const values = ext(schema.id);
    for (const a of schema.attributes) {
      const v = prop(values, a.name);
      extension[a.name] = a.type === 'boolean' ? bool(v ?? null) : (v ?? null);
    }
  }
  const input: Record<string, unknown> = {
    userName: prop(r, 'userName'),
    externalId: str(prop(r, 'externalId')) ?? null,
    givenName: str(prop(name, 'givenName')) ?? null,
    familyName: str(prop(name, 'familyName')) ?? null,
    middleName: str(prop(name, 'middleName')) ?? null,
    honorificPrefix: str(prop(name, 'honorificPrefix')) ?? null,
    honorificSuffix: str(prop(name, 'honorificSuffix')) ?? null,
    displayName: str(prop(r, 'displayName')) ?? null,
    title: str(prop(r, 'title')) ?? null,
    employeeType: str(prop(r, 'userType')) ?? null,
    preferredLanguage: str(prop(r, 'preferredLanguage')) ?? null,
    timezone: str(prop(r, 'timezone')) ?? null,
    accountEnabled: bool(prop(r, 'active') ?? true),
    emails: multi(prop(r, 'emails')),
    phoneNumbers: multi(prop(r, 'phoneNumbers')),
    employeeId: str(prop(enterprise, 'employeeNumber')) ?? null,
    costCenter: str(prop(enterprise, 'costCenter')) ?? null,
    companyName: str(prop(enterprise, 'organization')) ?? null,
    division: str(prop(enterprise, 'division')) ?? null,
    department: str(prop(enterprise, 'department')) ?? null,
    managerId: managerId(prop(enterprise, 'manager')),
    employeeHireDate: str(prop(joinery, 'employeeHireDate')) ?? null,
    employeeLeaveDateTime: str(prop(joinery, 'employeeLeaveDateTime')) ?? null,
    usageLocation: str(prop(joinery, 'usageLocation')) ?? null,
    personalEmail: str(prop(joinery, 'personalEmail')) ?? null,
  };
  if (Object.keys(extension).length) input.extension = extension;
  return input;
}

/** Directory field → SCIM path, so validation errors name what the client sent. */
export const scimPathOfField: Record<string, string> = {
  userName: 'userName',
  externalId: 'externalId',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  middleName: 'name.middleName',
  honorificPrefix: 'name.honorificPrefix',
  honorificSuffix: 'name.honorificSuffix',
  displayName: 'displayName',
  title: 'title',
  employeeType: 'userType',
  preferredLanguage: 'preferredLanguage',
  timezone: 'timezone',
  accountEnabled: 'active',
  emails: 'emails',
  phoneNumbers: 'phoneNumbers',
  employeeId: `${ENTERPRISE_USER}:employeeNumber`,
  costCenter: `${ENTERPRISE_USER}:costCenter`,
  companyName: `${ENTERPRISE_USER}:organization`,
  division: `${ENTERPRISE_USER}:division`,
  department: `${ENTERPRISE_USER}:department`,
  managerId: `${ENTERPRISE_USER}:manager.value`,
  employeeHireDate: `${JOINERY_USER}:employeeHireDate`,
  employeeLeaveDateTime: `${JOINERY_USER}:employeeLeaveDateTime`,
  usageLocation: `${JOINERY_USER}:usageLocation`,
  personalEmail: `${JOINERY_USER}:personalEmail`,
};

export type { UserCreateInput };

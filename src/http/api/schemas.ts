import { z } from 'zod';

/** Response shapes, for the OpenAPI document. */
const multi = z.object({
  value: z.string(),
  type: z.string().nullable().optional(),
  primary: z.boolean().optional(),
});

export const userSchema = z.object({
  id: z.uuid(),
  userName: z.string(),
  externalId: z.string().nullable(),
  employeeId: z.string().nullable(),
  givenName: z.string().nullable(),
  familyName: z.string().nullable(),
  middleName: z.string().nullable(),
  honorificPrefix: z.string().nullable(),
  honorificSuffix: z.string().nullable(),
  displayName: z.string().nullable(),
  emails: z.array(multi),
  phoneNumbers: z.array(multi),
  title: z.string().nullable(),
  department: z.string().nullable(),
  division: z.string().nullable(),
  costCenter: z.string().nullable(),
  companyName: z.string().nullable(),
  employeeType: z.string().nullable(),
  managerId: z.uuid().nullable(),
  employeeHireDate: z.string().nullable(),
  employeeLeaveDateTime: z.string().nullable(),
  accountEnabled: z.boolean(),
  timezone: z.string().nullable(),
  preferredLanguage: z.string().nullable(),
  usageLocation: z.string().nullable(),
  personalEmail: z.string().nullable(),
  extension: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  deletedAt: z.string().nullable(),
});

export const groupSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  description: z.string().nullable(),
  externalId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  deletedAt: z.string().nullable(),
});

export const memberSchema = z.object({
  type: z.enum(['user', 'group']),
  id: z.uuid(),
  name: z.string(),
  displayName: z.string().nullable(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page.'),
  });

export const auditRecordSchema = z.object({
  id: z.number().int(),
  occurredAt: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  changes: z.array(z.object({ attribute: z.string(), before: z.unknown(), after: z.unknown() })),
  correlationId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const tokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

import { z } from 'zod';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

function isIanaZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const multiValued = <T extends z.ZodTypeAny>(item: T) =>
  z
    .array(item)
    .max(50, 'must have at most 50 entries')
    .refine(
      (list) => list.filter((e) => (e as { primary?: boolean }).primary === true).length <= 1,
      'at most one entry may be primary',
    );

export const emailSchema = z.strictObject({
  value: z.email('must be an e-mail address').max(320),
  type: z.string().max(50).nullable().optional(),
  primary: z.boolean().optional(),
});

export const phoneSchema = z.strictObject({
  value: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[+0-9 ()./x-]+$/i, 'must be a phone number'),
  type: z.string().max(50).nullable().optional(),
  primary: z.boolean().optional(),
});

/** ISO 8601 with an offset, or a calendar date (taken as midnight UTC). */
const instant = z
  .string()
  .refine((v) => z.iso.datetime({ offset: true }).safeParse(v).success || z.iso.date().safeParse(v).success, {
    message: 'must be an ISO 8601 date or date-time with offset',
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v).toISOString());

const extensionSchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'extension attribute names are letters, digits and _'),
    z.json(),
  )
  .refine((v) => Object.keys(v).length <= 100, 'at most 100 extension attributes');

const optionalText = (max: number) => text(max).nullable().optional();

const attributeShape = {
  externalId: optionalText(256),
  employeeId: optionalText(128),
  givenName: optionalText(128),
  familyName: optionalText(128),
  middleName: optionalText(128),
  honorificPrefix: optionalText(64),
  honorificSuffix: optionalText(64),
  displayName: optionalText(256),
  emails: multiValued(emailSchema).optional(),
  phoneNumbers: multiValued(phoneSchema).optional(),
  title: optionalText(256),
  department: optionalText(256),
  division: optionalText(256),
  costCenter: optionalText(128),
  companyName: optionalText(256),
  employeeType: optionalText(64),
  managerId: z.uuid('must be a user id').nullable().optional(),
  employeeHireDate: instant.nullable().optional(),
  employeeLeaveDateTime: instant.nullable().optional(),
  accountEnabled: z.boolean().optional(),
  timezone: z
    .string()
    .refine(isIanaZone, 'must be an IANA time zone such as Europe/Paris')
    .nullable()
    .optional(),
  preferredLanguage: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en-US')
    .nullable()
    .optional(),
  usageLocation: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166 country code such as FR')
    .nullable()
    .optional(),
  personalEmail: z.email('must be an e-mail address').max(320).nullable().optional(),
  extension: extensionSchema.optional(),
};

const userName = text(256).regex(/^[^\s]+$/, 'must not contain spaces');

export const userCreateSchema = z.strictObject({ userName, ...attributeShape });
export type UserCreateInput = z.infer<typeof userCreateSchema>;

/** Present keys change, absent keys stay, null clears. Extension keys merge; a null value removes one. */
export const userPatchSchema = z.strictObject({ userName: userName.optional(), ...attributeShape });
export type UserPatchInput = z.infer<typeof userPatchSchema>;

import cronParser from 'cron-parser';
import { z } from 'zod';
import type { UniqueCheckAttribute } from '../directory/index.ts';
import { attributeMappingSchema, scopingFilterSchema } from '../mapping/index.ts';
import { httpJsonPullConfigSchema, scimPullConfigSchema } from './pull/index.ts';

export const sourceTypes = ['bulk-upload', 'csv', 'scim-pull', 'http-json-pull'] as const;
export type SourceType = (typeof sourceTypes)[number];

/** Directory attributes an HR record can be matched on (they are unique in the directory). */
export const matchTargets = ['employeeId', 'externalId', 'userName'] as const;

/** Scalar directory attributes a mapping may write. */
export const scalarTargets = [
  'userName',
  'externalId',
  'employeeId',
  'givenName',
  'familyName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
  'displayName',
  'title',
  'department',
  'division',
  'costCenter',
  'companyName',
  'employeeType',
  'employeeHireDate',
  'employeeLeaveDateTime',
  'accountEnabled',
  'timezone',
  'preferredLanguage',
  'usageLocation',
  'personalEmail',
] as const;

const scalarLower = new Map(scalarTargets.map((t) => [t.toLowerCase(), t]));

/**
 * A mapping target: a scalar attribute, `emails.<type>`, `phoneNumbers.<type>`, `extension.<name>`, or
 * `manager` (the manager's matching value in the source, resolved to a user whenever it arrives).
 */
export type Target =
  | { kind: 'scalar'; name: (typeof scalarTargets)[number] }
  | { kind: 'email' | 'phone'; type: string }
  | { kind: 'extension'; name: string }
  | { kind: 'manager' };

export function parseTarget(text: string): Target | null {
  const lower = text.toLowerCase();
  const scalar = scalarLower.get(lower);
  if (scalar) return { kind: 'scalar', name: scalar };
  if (lower === 'manager') return { kind: 'manager' };
  const m = /^(emails|phonenumbers|extension)\.([A-Za-z][A-Za-z0-9_-]{0,63})$/i.exec(text);
  if (!m) return null;
  const family = (m[1] as string).toLowerCase();
  const name = m[2] as string;
  if (family === 'emails') return { kind: 'email', type: name.toLowerCase() };
  if (family === 'phonenumbers') return { kind: 'phone', type: name.toLowerCase() };
  return /^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(name) ? { kind: 'extension', name } : null;
}

/** The directory attribute a target writes (e.g. `emails.work` writes `emails`), as the audit diff names it. */
export function directoryAttributeOf(target: string): string | null {
  const t = parseTarget(target);
  if (!t) return null;
  switch (t.kind) {
    case 'scalar':
      return t.name;
    case 'email':
      return 'emails';
    case 'phone':
      return 'phoneNumbers';
    case 'extension':
      return 'extension';
    case 'manager':
      return 'managerId';
  }
}

/** The directory attribute SelectUniqueValue checks a candidate against, for a mapping's target. */
export function uniqueCheckOf(target: string): UniqueCheckAttribute | null {
  const t = parseTarget(target);
  if (!t) return null;
  if (t.kind === 'email') return 'email';
  if (t.kind !== 'scalar') return null;
  const n = t.name;
  return n === 'userName' || n === 'externalId' || n === 'employeeId' || n === 'displayName' ? n : null;
}

const matchingSchema = z
  .array(
    z.strictObject({
      /** Source attribute (any case), e.g. externalId. */
      source: z.string().trim().min(1).max(300),
      target: z.enum(matchTargets),
    }),
  )
  .min(1, 'at least one matching pair is needed')
  .max(5);

export const deletionThresholdSchema = z.strictObject({
  /** Hold a run that would disable more than this many people; null: no count limit. */
  count: z.number().int().min(0).nullable().default(500),
  /** Hold a run that would disable more than this share (0–100) of the source's people; null: none. */
  percent: z.number().min(0).max(100).nullable().default(null),
});

const sourceBase = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  /** Pairs tried in order (precedence): the first pair whose source value matches a user wins. */
  matching: matchingSchema.default([{ source: 'externalId', target: 'employeeId' }]),
  mappings: z.array(attributeMappingSchema).max(500).default([]),
  scoping: scopingFilterSchema.default([]),
  deletionThreshold: deletionThresholdSchema.default({ count: 500, percent: null }),
  /** CSV only: header → source attribute name, applied before the mappings (other headers pass as-is). */
  csvHeaders: z.record(z.string(), z.string().min(1).max(300)).optional(),
  /** CSV only: field delimiter (default ","). */
  csvDelimiter: z.string().length(1).optional(),
  /** Pull sources: cron schedule (UTC) of automatic pulls; absent = on demand only. */
  schedule: z
    .string()
    .trim()
    .max(100)
    .refine((v) => {
      try {
        cronParser.parseExpression(v, { tz: 'UTC' });
        return /^(\S+\s+){4}\S+$/.test(v);
      } catch {
        return false;
      }
    }, 'must be a five-field cron expression (UTC), for example "*/15 * * * *"')
    .optional(),
};

export const sourceConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bulk-upload'), ...sourceBase }),
  z.strictObject({ type: z.literal('csv'), ...sourceBase }),
  z.strictObject({ type: z.literal('scim-pull'), ...sourceBase, pull: scimPullConfigSchema }),
  z.strictObject({ type: z.literal('http-json-pull'), ...sourceBase, pull: httpJsonPullConfigSchema }),
]);

export type SourceConfigInput = z.input<typeof sourceConfigSchema>;
export type SourceConfig = z.output<typeof sourceConfigSchema>;

export const sourceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, "-" or "_" (at most 63)');

/** Checks what zod cannot: targets exist, each is mapped once, expressions compile (done by the caller). */
export function targetProblems(config: SourceConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  config.mappings.forEach((m, i) => {
    if (!parseTarget(m.target)) {
      problems.push({
        path: ['mappings', i, 'target'],
        message: `unknown target "${m.target}": use a directory attribute (${scalarTargets.join(', ')}), emails.<type>, phoneNumbers.<type>, extension.<name> or manager`,
      });
    }
  });
  return problems;
}

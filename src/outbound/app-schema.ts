import { z } from 'zod';
import { attributeMappingSchema, scopingFilterSchema } from '../mapping/index.ts';

const matchingSchema = z.strictObject({
  /** Target attribute looked up to find an existing object (SCIM `userName`, LDAP `uid`). */
  target: z.string().trim().min(1).max(300),
  /** Directory attribute whose value is looked up (`userName`, `objectId`, `mail`...). */
  source: z.string().trim().min(1).max(300),
});

/**
 * An application as an admin defines it. Mappings and matching default to what the connector proposes
 * (`ConnectorDefinition.defaults`), so a SCIM app needs only a URL and a token.
 */
export const appDefinitionSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  connector: z.strictObject({
    type: z.string().trim().min(1).max(50),
    config: z.record(z.string(), z.unknown()),
  }),
  enabled: z.boolean().default(true),
  /** `assigned`: users and groups assigned (directly or through nested groups). `all`: every user. */
  scope: z.enum(['assigned', 'all']).default('assigned'),
  provisionUsers: z.boolean().default(true),
  /** Groups: with `assigned`, the assigned groups; with `all`, every group. Members are in-scope users. */
  provisionGroups: z.boolean().default(false),
  scoping: scopingFilterSchema.default([]),
  userMappings: z.array(attributeMappingSchema).max(200).optional(),
  groupMappings: z.array(attributeMappingSchema).max(200).optional(),
  userMatching: matchingSchema.optional(),
  groupMatching: matchingSchema.optional(),
  /** What happens to a target account whose person leaves scope or is deleted in the directory. */
  deprovisionAction: z.enum(['disable', 'delete', 'none']).default('disable'),
  /** Entra's "skip out of scope deletions": leave accounts alone when a person only leaves scope. */
  skipOutOfScopeDeletions: z.boolean().default(false),
  /** Accidental-deletion guard: more disables/deletes than this in one hour holds them for approval. */
  deletionThreshold: z.int().min(1).max(10_000_000).nullable().default(500),
  rateLimit: z
    .strictObject({
      /** 0 means no limit besides concurrency. */
      requestsPerSecond: z.number().min(0).max(100_000).default(0),
      concurrency: z.int().min(1).max(128).default(8),
    })
    .prefault({}),
  /** Cron for drift and orphan reconciliation (UTC); null turns it off. */
  reconcileSchedule: z.string().trim().min(1).max(100).nullable().default('17 3 * * *'),
});

export type AppDefinitionInput = z.input<typeof appDefinitionSchema>;
export type AppDefinition = z.output<typeof appDefinitionSchema>;

export const assignmentSchema = z.strictObject({
  principalType: z.enum(['user', 'group']),
  principalId: z.uuid(),
  appRole: z.string().trim().min(1).max(200).nullable().optional(),
});
export type AssignmentInput = z.input<typeof assignmentSchema>;

import { z } from 'zod';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const groupCreateSchema = z.strictObject({
  displayName: text(256),
  description: text(1024).nullable().optional(),
  externalId: text(256).nullable().optional(),
  ownerIds: z.array(z.uuid('must be a user id')).max(100).optional(),
});
export type GroupCreateInput = z.infer<typeof groupCreateSchema>;

export const groupPatchSchema = z.strictObject({
  displayName: text(256).optional(),
  description: text(1024).nullable().optional(),
  externalId: text(256).nullable().optional(),
});
export type GroupPatchInput = z.infer<typeof groupPatchSchema>;

export const memberRefSchema = z.strictObject({
  type: z.enum(['user', 'group']),
  id: z.uuid('must be a user or group id'),
});
export type MemberRef = z.infer<typeof memberRefSchema>;

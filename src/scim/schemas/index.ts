import type { ResourceSchemas } from '../resource-schemas.ts';
import type { SchemaDefinition } from '../schema-types.ts';
import { enterpriseUserSchema } from './enterprise-user.ts';
import { groupSchema } from './group.ts';
import { joineryUserSchema } from './joinery-user.ts';
import { userSchema } from './user.ts';

export { CORE_GROUP, CORE_USER, commonAttributes, ENTERPRISE_USER, JOINERY_USER } from './common.ts';
export { enterpriseUserSchema, groupSchema, joineryUserSchema, userSchema };

/** The User resource type: core, enterprise, Joinery's own, then any custom extensions an admin declared. */
const memo = new WeakMap<readonly SchemaDefinition[], ResourceSchemas>();
const none: readonly SchemaDefinition[] = [];

export function userResourceSchemas(custom: readonly SchemaDefinition[] = none): ResourceSchemas {
  // The declared list is one cached array per reload: build its resource type once, not per user.
  const known = memo.get(custom);
  if (known) return known;
  const built: ResourceSchemas = {
    resourceType: 'User',
    endpoint: '/Users',
    core: userSchema,
    extensions: [enterpriseUserSchema, joineryUserSchema, ...custom],
  };
  memo.set(custom, built);
  return built;
}

export const groupResourceSchemas: ResourceSchemas = {
  resourceType: 'Group',
  endpoint: '/Groups',
  core: groupSchema,
  extensions: [],
};

import type { ResourceSchemas } from '../resource-schemas.ts';
import type { SchemaDefinition } from '../schema-types.ts';
import { enterpriseUserSchema } from './enterprise-user.ts';
import { groupSchema } from './group.ts';
import { joineryUserSchema } from './joinery-user.ts';
import { userSchema } from './user.ts';

export { CORE_GROUP, CORE_USER, commonAttributes, ENTERPRISE_USER, JOINERY_USER } from './common.ts';
export { enterpriseUserSchema, groupSchema, joineryUserSchema, userSchema };

/** The User resource type: core, enterprise, Joinery's own, then any custom extensions an admin declared. */
export function userResourceSchemas(custom: readonly SchemaDefinition[] = []): ResourceSchemas {
  return {
    resourceType: 'User',
    endpoint: '/Users',
    core: userSchema,
    extensions: [enterpriseUserSchema, joineryUserSchema, ...custom],
  };
}

export const groupResourceSchemas: ResourceSchemas = {
  resourceType: 'Group',
  endpoint: '/Groups',
  core: groupSchema,
  extensions: [],
};

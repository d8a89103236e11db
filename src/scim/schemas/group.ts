import { attr, type SchemaDefinition } from '../schema-types.ts';
import { CORE_GROUP } from './common.ts';

/** The core Group schema (RFC 7643 §4.2). */
export const groupSchema: SchemaDefinition = {
  id: CORE_GROUP,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', 'A human-readable name for the group.', { required: true }),
    attr('members', 'complex', 'The members of the group: users or groups.', {
      multiValued: true,
      returned: 'default',
      subAttributes: [
        attr('value', 'string', 'The id of the member.', { caseExact: true, mutability: 'immutable' }),
        attr('$ref', 'reference', 'The URI of the member.', {
          caseExact: true,
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        }),
        attr('display', 'string', "The member's display name.", { mutability: 'readOnly' }),
        attr('type', 'string', 'User or Group.', {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
    }),
  ],
};

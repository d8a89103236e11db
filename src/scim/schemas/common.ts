import { type AttributeDefinition, attr } from '../schema-types.ts';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Joinery's own user attributes that neither core nor enterprise schema has (lifecycle dates...). */
export const JOINERY_USER = 'urn:ietf:params:scim:schemas:extension:joinery:2.0:User';

/** id, externalId and meta (RFC 7643 §3.1): on every resource. */
export const commonAttributes: AttributeDefinition[] = [
  attr('id', 'string', 'Unique identifier for the resource, assigned by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', 'Identifier of the resource as defined by the provisioning client.', {
    caseExact: true,
  }),
  attr('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', 'The name of the resource type.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr('created', 'dateTime', 'When the resource was added.', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attr('version', 'string', 'The weak entity tag of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
];

/** value/type/primary (+display) of a multi-valued attribute such as emails (RFC 7643 §2.4). */
export function multiValuedSubAttributes(valueDescription: string, types: string[]): AttributeDefinition[] {
  return [
    attr('value', 'string', valueDescription),
    attr('display', 'string', 'A human-readable name, primarily used for display purposes.', {
      mutability: 'readOnly',
    }),
    attr('type', 'string', 'A label indicating the function of the value.', { canonicalValues: types }),
    attr('primary', 'boolean', 'Whether this is the preferred value; at most one value may be primary.'),
  ];
}

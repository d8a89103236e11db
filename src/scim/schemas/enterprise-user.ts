import { attr, type SchemaDefinition } from '../schema-types.ts';
import { ENTERPRISE_USER } from './common.ts';

/** The Enterprise User extension (RFC 7643 §4.3). */
export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_USER,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', "The organisation's identifier for the worker. Unique.", {
      caseExact: true,
      uniqueness: 'server',
    }),
    attr('costCenter', 'string', 'The name of a cost center.'),
    attr('organization', 'string', 'The name of an organisation.'),
    attr('division', 'string', 'The name of a division.'),
    attr('department', 'string', 'The name of a department.'),
    attr('manager', 'complex', "The user's manager.", {
      subAttributes: [
        attr('value', 'string', "The id of the manager's User resource.", { caseExact: true }),
        attr('$ref', 'reference', "The URI of the manager's User resource.", {
          caseExact: true,
          mutability: 'readOnly',
          referenceTypes: ['User'],
        }),
        attr('displayName', 'string', 'The displayName of the manager.', { mutability: 'readOnly' }),
      ],
    }),
  ],
};

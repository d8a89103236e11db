import { attr, type SchemaDefinition } from '../schema-types.ts';
import { JOINERY_USER } from './common.ts';

/** Lifecycle attributes Joinery keeps for every user that no standard schema names. */
export const joineryUserSchema: SchemaDefinition = {
  id: JOINERY_USER,
  name: 'JoineryUser',
  description: 'Joinery lifecycle attributes',
  attributes: [
    attr('employeeHireDate', 'dateTime', 'When the worker starts; drives joiner workflows.'),
    attr('employeeLeaveDateTime', 'dateTime', 'When the worker leaves; drives leaver workflows.'),
    attr('usageLocation', 'string', 'Two-letter ISO 3166 country code where the user works.'),
    attr('personalEmail', 'string', 'A private e-mail address, used before day one.'),
  ],
};

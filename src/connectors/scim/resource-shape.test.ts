import { describe, expect, it } from 'vitest';
import { buildResource, flatten } from './resource-shape.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('flat paths <-> SCIM resources', () => {
  it('reads a built resource back to the same flat attributes', () => {
    const attributes = {
      userName: 'a@example.com',
      active: false,
      'name.familyName': 'Ng',
      'emails[type eq "work"].value': 'a@example.com',
      'phoneNumbers[type eq "mobile"].value': '+1',
      'addresses[type eq "work"].locality': 'Bern',
      [`${ENT}:manager`]: 'boss',
      [`${ENT}:employeeNumber`]: '7',
      'urn:example:acme:1.0:User:tags': ['a', 'b'],
    };
    const built = buildResource('user', attributes, undefined, []);
    expect(built.ok && flatten(built.value)).toEqual(attributes);
  });

  it('reads the primary element when a type repeats, and lower-cases types', () => {
    const flat = flatten({
      id: 'x',
      emails: [
        { type: 'Work', value: 'second@example.com' },
        { type: 'work', value: 'primary@example.com', primary: true },
      ],
      meta: { version: 'W/"1"' },
    });
    expect(flat).toEqual({ 'emails[type eq "work"].value': 'primary@example.com' });
  });
});

import { attr, type SchemaDefinition } from '../schema-types.ts';
import { CORE_USER, multiValuedSubAttributes } from './common.ts';

/**
 * The core User schema (RFC 7643 §4.1), limited to the attributes Joinery's directory stores. Others
 * (addresses, photos, ims...) are not advertised and are ignored when a client sends them.
 */
export const userSchema: SchemaDefinition = {
  id: CORE_USER,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', 'Unique identifier for the user, used to sign in. Unique, case-insensitive.', {
      required: true,
      uniqueness: 'server',
    }),
    attr('name', 'complex', "The components of the user's name.", {
      subAttributes: [
        attr('formatted', 'string', 'The full name, built from the other components.', {
          mutability: 'readOnly',
        }),
        attr('familyName', 'string', 'The family name (last name in most Western languages).'),
        attr('givenName', 'string', 'The given name (first name in most Western languages).'),
        attr('middleName', 'string', 'The middle name(s).'),
        attr('honorificPrefix', 'string', 'Title prefix, such as "Ms.".'),
        attr('honorificSuffix', 'string', 'Title suffix, such as "III".'),
      ],
    }),
    attr('displayName', 'string', 'The name of the user, suitable for display to end-users.'),
    attr('title', 'string', "The user's job title."),
    attr('userType', 'string', 'The relationship between the organisation and the user, such as "Employee".'),
    attr('preferredLanguage', 'string', 'The user\'s preferred language, as a language tag such as "en-US".'),
    attr('timezone', 'string', 'The user\'s IANA time zone, such as "Europe/Paris".'),
    attr('active', 'boolean', 'Whether the account is enabled.'),
    attr('emails', 'complex', 'E-mail addresses for the user.', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('The e-mail address.', ['work', 'home', 'other']),
    }),
    attr('phoneNumbers', 'complex', 'Phone numbers for the user.', {
      multiValued: true,
      subAttributes: multiValuedSubAttributes('The phone number.', [
        'work',
        'home',
        'mobile',
        'fax',
        'pager',
        'other',
      ]),
    }),
    // Returned on request only: computing nested membership for every user of a list is costly, and
    // provisioning clients manage membership through Groups anyway.
    attr('groups', 'complex', 'The groups the user belongs to, directly or through nesting.', {
      multiValued: true,
      mutability: 'readOnly',
      returned: 'request',
      subAttributes: [
        attr('value', 'string', 'The id of the group.', { caseExact: true, mutability: 'readOnly' }),
        attr('$ref', 'reference', 'The URI of the group.', {
          caseExact: true,
          mutability: 'readOnly',
          referenceTypes: ['Group'],
        }),
        attr('display', 'string', "The group's displayName.", { mutability: 'readOnly' }),
        attr('type', 'string', 'direct or indirect.', {
          mutability: 'readOnly',
          canonicalValues: ['direct', 'indirect'],
        }),
      ],
    }),
  ],
};

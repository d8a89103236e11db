import type { Entry } from 'ldapts';
import { connectorFail, connectorOk, type ObjectKind } from '../../outbound/index.ts';
import type { LdapConnectorConfig } from './config.ts';
import { entryValues } from './entry-shape.ts';
import { type AttributeMap, classFilter, type Flavor, replace, setAttribute } from './flavor.ts';

/**
 * OpenLDAP and other RFC directories (389-DS, ApacheDS): inetOrgPerson users, groupOfNames groups.
 * There is no standard "disabled" flag, so `active` works only when a lock attribute is configured
 * (`disable`); `password` is written to `userPassword` as given (the server's password policy or hashing
 * overlay decides what is stored).
 */
export function openLdapFlavor(config: LdapConnectorConfig): Flavor {
  const disable = config.disable;
  const placeholder = config.emptyGroupMember === undefined ? config.bindDn : config.emptyGroupMember;
  const lastClass = (kind: ObjectKind) =>
    (kind === 'user' ? config.userObjectClasses : config.groupObjectClasses).at(-1)!;

  const unsupported = () =>
    connectorFail({
      code: 'unsupported',
      message:
        'this LDAP application cannot disable accounts: configure disable (for example pwdAccountLockedTime = 000001010000Z with the ppolicy overlay)',
      retryable: false,
    });

  const activeValues = (active: boolean): string[] =>
    active ? (disable?.enabledValue ? [disable.enabledValue] : []) : [disable!.disabledValue];

  return {
    type: 'ldap',
    ad: false,
    memberAttribute: config.memberAttribute,
    placeholder,
    canDisable: disable !== undefined,
    extraUserAttributes: disable ? [disable.attribute] : [],
    hidden: new Set(['userpassword', ...(disable ? [disable.attribute.toLowerCase()] : [])]),
    notes: [
      'flavor OpenLDAP',
      disable
        ? `disable: ${disable.attribute} = ${disable.disabledValue}`
        : 'disable: unsupported (no disable attribute configured)',
      placeholder ? `empty groups hold ${placeholder}` : 'groups may be empty',
    ],
    filterFor: (kind) => classFilter(lastClass(kind), false),
    readActive(entry: Entry) {
      if (!disable) return undefined;
      const values = entryValues(entry, disable.attribute) ?? [];
      return !values.some((value) => value.toLowerCase() === disable.disabledValue.toLowerCase());
    },
    createExtras(kind, attributes: AttributeMap, reserved) {
      if (kind === 'user' && reserved.active !== undefined) {
        if (!disable) {
          if (!reserved.active) return unsupported();
        } else {
          const values = activeValues(reserved.active);
          if (values.length > 0) setAttribute(attributes, disable.attribute, values);
        }
      }
      if (reserved.password !== undefined) setAttribute(attributes, 'userPassword', [reserved.password]);
      return connectorOk({ after: [] });
    },
    activeChanges(_dn, active) {
      if (!disable) return Promise.resolve(active ? connectorOk([]) : unsupported());
      return Promise.resolve(connectorOk([replace(disable.attribute, activeValues(active))]));
    },
    passwordChanges(password) {
      return connectorOk([replace('userPassword', [password])]);
    },
  };
}

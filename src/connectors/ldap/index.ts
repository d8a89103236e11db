import type { ConnectorDefinition, DefaultMappings } from '../../outbound/index.ts';
import { activeDirectoryFlavor } from './active-directory.ts';
import {
  type AdConnectorConfig,
  adConfigSchema,
  type LdapConnectorConfig,
  ldapConfigSchema,
  ldapSecretPaths,
} from './config.ts';
import { createDirectoryConnector } from './directory-connector.ts';
import { openLdapFlavor } from './openldap.ts';

/**
 * LDAP directories as provisioning targets, in two flavors with one implementation: `ldap` (OpenLDAP
 * and other RFC 4519 directories: inetOrgPerson, groupOfNames) and `ad` (Active Directory: user, group,
 * userAccountControl, unicodePwd). Two definitions rather than a `flavor` field, because the flavors'
 * configs differ (AD has no lock attribute or empty-group placeholder; OpenLDAP has no groupType) and a
 * strict schema per type gives precise messages. See README.md.
 */

export { encodeUnicodePwd, UAC } from './active-directory.ts';
export type {
  AdConnectorConfig,
  AdConnectorConfigInput,
  LdapConnectorConfig,
  LdapConnectorConfigInput,
} from './config.ts';
export { adConfigSchema, ldapConfigSchema } from './config.ts';
export { type Dn, formatDn, isUnder, parseDn, type Rdn, sameDn } from './dn.ts';
export { escapeDnValue, escapeFilterValue, unescapeFilterValue } from './escape.ts';

/** A mapping that writes a quoted-string expression. */
const expression = (target: string, text: string) => ({ target, type: 'expression', expression: text });
const direct = (target: string, source: string) => ({ target, type: 'direct', source });
/** An Entra-language string literal ("" doubles nothing; backslash and quote are escaped). */
const literal = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** `Join("", "<prefix>", [attribute], "<suffix>")`: the expression language concatenates with Join. */
const dnOf = (prefix: string, attribute: string, suffix: string) =>
  `Join("", ${literal(prefix)}, [${attribute}], ${literal(suffix)})`;

function ldapDefaults(config: LdapConnectorConfig): DefaultMappings {
  const naming = config.userNamingAttribute;
  return {
    user: [
      expression('dn', dnOf(`${naming}=`, 'userName', `,${config.userBase}`)),
      direct(naming, 'userName'),
      // cn and sn are required by inetOrgPerson: fall back to the user name when HR left them empty.
      expression('cn', 'Coalesce([displayName], [userName])'),
      expression('sn', 'Coalesce([familyName], [userName])'),
      direct('givenName', 'givenName'),
      direct('displayName', 'displayName'),
      direct('mail', 'mail'),
      direct('title', 'title'),
      direct('employeeNumber', 'employeeId'),
      direct('manager', 'manager'),
      ...(config.disable ? [direct('active', 'accountEnabled')] : []),
    ],
    group: [
      expression('dn', dnOf(`${config.groupNamingAttribute}=`, 'displayName', `,${config.groupBase}`)),
      direct(config.groupNamingAttribute, 'displayName'),
      direct('description', 'description'),
    ],
    userMatching: { target: naming, source: 'userName' },
    groupMatching: { target: config.groupNamingAttribute, source: 'displayName' },
  };
}

function adDefaults(config: AdConnectorConfig): DefaultMappings {
  return {
    user: [
      expression('dn', dnOf(`${config.userNamingAttribute}=`, 'displayName', `,${config.userBase}`)),
      direct('userPrincipalName', 'userName'),
      expression('sAMAccountName', 'Left(Item(Split([userName], "@"), 1), 20)'),
      direct('cn', 'displayName'),
      direct('displayName', 'displayName'),
      direct('givenName', 'givenName'),
      direct('sn', 'familyName'),
      direct('title', 'title'),
      direct('department', 'department'),
      direct('employeeID', 'employeeId'),
      direct('manager', 'manager'),
      direct('active', 'accountEnabled'),
    ],
    group: [
      expression('dn', dnOf(`${config.groupNamingAttribute}=`, 'displayName', `,${config.groupBase}`)),
      direct('cn', 'displayName'),
      direct('sAMAccountName', 'displayName'),
      direct('description', 'description'),
    ],
    userMatching: { target: 'userPrincipalName', source: 'userName' },
    groupMatching: { target: 'sAMAccountName', source: 'displayName' },
  };
}

export const ldapConnector: ConnectorDefinition<LdapConnectorConfig> = {
  type: 'ldap',
  description: 'LDAP directory (OpenLDAP, 389-DS): inetOrgPerson users, groupOfNames groups',
  configSchema: ldapConfigSchema,
  secretPaths: ldapSecretPaths,
  defaults: ldapDefaults,
  create: (config, deps) => createDirectoryConnector(config, openLdapFlavor(config), deps),
};

export const adConnector: ConnectorDefinition<AdConnectorConfig> = {
  type: 'ad',
  description: 'Active Directory over LDAP(S): user and group objects, userAccountControl, unicodePwd',
  configSchema: adConfigSchema,
  secretPaths: ldapSecretPaths,
  defaults: adDefaults,
  create: (config, deps) => createDirectoryConnector(config, activeDirectoryFlavor(config), deps),
};

import type { ConnectorDefinition, DefaultMappings } from '../../outbound/index.ts';
import { ENTERPRISE_USER } from './attribute-path.ts';
import { type ScimConnectorConfig, scimConnectorConfigSchema, scimSecretPaths } from './config.ts';
import { createScimConnector } from './connector.ts';

export type { ScimConnectorConfig, ScimConnectorConfigInput } from './config.ts';
export { scimConnectorConfigSchema } from './config.ts';
export { createScimConnector } from './connector.ts';

/**
 * Entra's default SCIM mapping for a new application, translated to Joinery's directory attributes:
 * match users on userName and groups on displayName; the directory id becomes externalId.
 */
const defaults: DefaultMappings = {
  user: [
    { target: 'userName', type: 'direct', source: 'userName' },
    { target: 'active', type: 'direct', source: 'accountEnabled' },
    { target: 'displayName', type: 'direct', source: 'displayName' },
    { target: 'externalId', type: 'direct', source: 'id' },
    { target: 'name.givenName', type: 'direct', source: 'givenName' },
    { target: 'name.familyName', type: 'direct', source: 'familyName' },
    { target: 'title', type: 'direct', source: 'title' },
    { target: 'emails[type eq "work"].value', type: 'direct', source: 'mail' },
    { target: 'phoneNumbers[type eq "mobile"].value', type: 'direct', source: 'mobile' },
    { target: 'preferredLanguage', type: 'direct', source: 'preferredLanguage' },
    { target: `${ENTERPRISE_USER}:department`, type: 'direct', source: 'department' },
    { target: `${ENTERPRISE_USER}:employeeNumber`, type: 'direct', source: 'employeeId' },
    { target: `${ENTERPRISE_USER}:manager`, type: 'direct', source: 'manager' },
  ],
  group: [
    { target: 'displayName', type: 'direct', source: 'displayName' },
    { target: 'externalId', type: 'direct', source: 'id' },
  ],
  userMatching: { target: 'userName', source: 'userName' },
  groupMatching: { target: 'displayName', source: 'displayName' },
};

/** SCIM 2.0 (RFC 7643/7644) outbound provisioning: see README.md in this folder. */
export const scimConnector: ConnectorDefinition<ScimConnectorConfig> = {
  type: 'scim',
  description: 'SCIM 2.0 service provider (RFC 7643/7644): users, groups and memberships over HTTP',
  configSchema: scimConnectorConfigSchema,
  secretPaths: scimSecretPaths,
  defaults: () => defaults,
  create: createScimConnector,
};

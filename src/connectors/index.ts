import type { ConnectorDefinition } from '../outbound/index.ts';
import { adConnector, ldapConnector } from './ldap/index.ts';
import { scimConnector } from './scim/index.ts';

/**
 * Every connector type this build knows, by type name. The engine receives this registry from app.ts:
 * connectors implement the engine's contract, so the engine cannot import them itself.
 */
export const connectorDefinitions: Readonly<Record<string, ConnectorDefinition<unknown>>> = {
  [scimConnector.type]: scimConnector as ConnectorDefinition<unknown>,
  [ldapConnector.type]: ldapConnector as ConnectorDefinition<unknown>,
  [adConnector.type]: adConnector as ConnectorDefinition<unknown>,
};

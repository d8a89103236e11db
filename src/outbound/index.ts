/**
 * Outbound provisioning: applications, the connector contract, the engine (cycles, plans, escrow,
 * quarantine) and its logs. Connectors (src/connectors/*) implement the contract and know no database.
 */
export * from './connector.ts';

import { silentLogger } from '../../core/index.ts';
import type { Connector, ConnectorResult } from '../../outbound/index.ts';
import { type ScimConnectorConfigInput, scimConnector } from './index.ts';

/** Test support: a connector from config input, with a sleep that records instead of waiting. */
export function testConnector(input: Partial<ScimConnectorConfigInput> & { baseUrl: string }) {
  const sleeps: number[] = [];
  const config = scimConnector.configSchema.parse({
    auth: { type: 'bearer', token: 'tok-secret-123' },
    ...input,
  });
  const connector: Connector = scimConnector.create(config, {
    logger: silentLogger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { connector, sleeps };
}

export function ok<T>(r: ConnectorResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.failure.code}: ${r.failure.message}`);
  return r.value;
}

export function failed<T>(r: ConnectorResult<T>) {
  if (r.ok) throw new Error('expected a failure');
  return r.failure;
}

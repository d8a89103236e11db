import { describe, expect, it } from 'vitest';
import { connectorDefinitions } from '../connectors/index.ts';
import { compileApp } from './compiled-app.ts';

const configs: Record<string, Record<string, unknown>> = {
  scim: { baseUrl: 'https://app.example.com/scim/v2', auth: { type: 'bearer', token: 't' } },
  ldap: {
    url: 'ldap://127.0.0.1:389',
    bindDn: 'cn=admin,dc=example,dc=org',
    bindPassword: 'p',
    userBase: 'ou=people,dc=example,dc=org',
    groupBase: 'ou=groups,dc=example,dc=org',
  },
  ad: {
    url: 'ldaps://127.0.0.1:636',
    bindDn: 'admin@example.org',
    bindPassword: 'p',
    userBase: 'ou=people,dc=example,dc=org',
    groupBase: 'ou=groups,dc=example,dc=org',
  },
};

describe("every connector's default mappings", () => {
  it.each(Object.keys(connectorDefinitions))(
    'compile for %s (an app needs only the connector config)',
    (type) => {
      const app = compileApp(
        '01890000-0000-7000-8000-000000000000',
        1,
        { name: type, connector: { type, config: configs[type] }, provisionGroups: true },
        connectorDefinitions,
      );
      expect(app.ok ? 'ok' : app.error.message).toBe('ok');
    },
  );

  it('has a config sample for every connector type', () => {
    expect(Object.keys(configs).sort()).toEqual(Object.keys(connectorDefinitions).sort());
  });
});

import { describe, expect, it } from 'vitest';
import { adConfigSchema, ldapConfigSchema } from './config.ts';
import { adConnector, ldapConnector } from './index.ts';

const base = {
  url: 'ldaps://ldap.example.org',
  bindDn: 'cn=admin,dc=example,dc=org',
  bindPassword: 'pw',
  userBase: 'ou=people,dc=example,dc=org',
  groupBase: 'ou=groups,dc=example,dc=org',
};

const messages = (
  input: unknown,
  schema: typeof ldapConfigSchema | typeof adConfigSchema = ldapConfigSchema,
) => {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('ldap connector config', () => {
  it('fills defaults', () => {
    const config = ldapConfigSchema.parse(base);
    expect(config).toMatchObject({
      tls: { rejectUnauthorized: true },
      startTls: false,
      timeoutMs: 10_000,
      userObjectClasses: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
      groupObjectClasses: ['top', 'groupOfNames'],
      userNamingAttribute: 'uid',
      memberAttribute: 'member',
      pageSize: 500,
    });
    expect(config.disable).toBeUndefined();
    expect(adConfigSchema.parse(base)).toMatchObject({
      userObjectClasses: ['top', 'person', 'organizationalPerson', 'user'],
      groupObjectClasses: ['top', 'group'],
      userNamingAttribute: 'cn',
      groupType: -2147483646,
    });
    expect(ldapConnector.secretPaths).toEqual(['bindPassword']);
    expect(adConnector.secretPaths).toEqual(['bindPassword']);
  });

  it('says what is wrong', () => {
    expect(messages({ ...base, url: 'http://x' }).join()).toContain('ldap:// or ldaps://');
    expect(messages({ ...base, url: 'ldap://x/dc=example' }).join()).toContain('userBase');
    expect(messages({ ...base, startTls: true }).join()).toContain('already encrypted');
    expect(messages({ ...base, userBase: 'ou=people,,dc=x' }).join()).toContain('userBase: invalid DN');
    expect(messages({ ...base, tls: { ca: 'nope' } }).join()).toContain('PEM');
    expect(messages({ ...base, disable: { attribute: 'a b', disabledValue: 'x' } }).join()).toContain(
      'attribute name',
    );
    expect(messages({ ...base, extra: 1 }).join()).toMatch(/extra/);
    expect(messages({ ...base, groupType: 2 }).join()).toMatch(/groupType/);
  });

  it('takes a UPN as the AD bind account', () => {
    expect(messages({ ...base, bindDn: 'svc-joinery@example.org' }, adConfigSchema)).toEqual([]);
    expect(messages({ ...base, bindDn: 'svc-joinery@example.org' }).length).toBeGreaterThan(0);
  });

  it('proposes default mappings with a dn expression under the base', () => {
    const defaults = ldapConnector.defaults(ldapConfigSchema.parse(base));
    expect(defaults.user[0]).toEqual({
      target: 'dn',
      type: 'expression',
      expression: 'Join("", "uid=", [userName], ",ou=people,dc=example,dc=org")',
    });
    expect(defaults.userMatching).toEqual({ target: 'uid', source: 'userName' });
    expect(adConnector.defaults(adConfigSchema.parse(base)).userMatching.target).toBe('userPrincipalName');
  });
});

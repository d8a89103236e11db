import { describe, expect, it } from 'vitest';
import { httpJsonPullConfigSchema, scimPullConfigSchema, secretPaths } from './index.ts';

describe('config schemas', () => {
  it('accepts a SCIM source with defaults left out', () => {
    const parsed = scimPullConfigSchema.parse({
      url: 'https://hr.example.com/scim/v2',
      auth: { type: 'bearer', token: 't' },
    });
    expect(parsed).toEqual({ url: 'https://hr.example.com/scim/v2', auth: { type: 'bearer', token: 't' } });
  });

  it('rejects out-of-range and unknown SCIM settings', () => {
    const base = { url: 'https://hr.example.com/scim/v2', auth: { type: 'none' } };
    expect(scimPullConfigSchema.safeParse({ ...base, pageSize: 1001 }).success).toBe(false);
    expect(scimPullConfigSchema.safeParse({ ...base, resource: 'Groups' }).success).toBe(false);
    expect(scimPullConfigSchema.safeParse({ ...base, pagesize: 10 }).success).toBe(false);
    expect(scimPullConfigSchema.safeParse({ ...base, url: 'ftp://hr.example.com' }).success).toBe(false);
    expect(scimPullConfigSchema.safeParse({ ...base, auth: { type: 'basic', username: 'u' } }).success).toBe(
      false,
    );
  });

  it('accepts each paging type and rejects a body on GET', () => {
    const base = {
      url: 'https://acme.service-now.com/api/now/table/sys_user',
      auth: { type: 'none' },
      recordsPath: 'result',
    };
    for (const paging of [
      { type: 'none' },
      { type: 'nextLink', path: 'd.__next' },
      { type: 'linkHeader' },
      { type: 'offset', offsetParam: 'sysparm_offset', limitParam: 'sysparm_limit', pageSize: 500, start: 0 },
    ])
      expect(httpJsonPullConfigSchema.safeParse({ ...base, paging }).success).toBe(true);
    expect(httpJsonPullConfigSchema.safeParse({ ...base, paging: { type: 'cursor' } }).success).toBe(false);
    expect(httpJsonPullConfigSchema.safeParse({ ...base, paging: { type: 'none' }, body: {} }).success).toBe(
      false,
    );
    expect(
      httpJsonPullConfigSchema.safeParse({ ...base, paging: { type: 'none' }, body: {}, method: 'POST' })
        .success,
    ).toBe(true);
    expect(
      httpJsonPullConfigSchema.safeParse({
        ...base,
        paging: { type: 'none' },
        deltaParam: { name: 'q', template: 'x' },
      }).success,
    ).toBe(false);
  });
});

describe('secretPaths', () => {
  it('lists the credential of each auth type', () => {
    const url = 'https://hr.example.com/scim/v2';
    expect(secretPaths({ url, auth: { type: 'none' } })).toEqual([]);
    expect(secretPaths({ url, auth: { type: 'basic', username: 'u', password: 'p' } })).toEqual([
      'auth.password',
    ]);
    expect(secretPaths({ url, auth: { type: 'bearer', token: 't' } })).toEqual(['auth.token']);
    expect(
      secretPaths({ url, auth: { type: 'oauth2', tokenUrl: url, clientId: 'c', clientSecret: 's' } }),
    ).toEqual(['auth.clientSecret']);
  });

  it('also lists credential-looking headers and query parameters', () => {
    expect(
      secretPaths({
        url: 'https://api.example.com/workers',
        auth: { type: 'none' },
        headers: { 'X-API-Key': 'k', Accept: 'application/json', Cookie: 'sid=1' },
        query: { api_token: 't', $top: '100' },
        recordsPath: 'value',
        paging: { type: 'none' },
      }),
    ).toEqual(['headers.X-API-Key', 'headers.Cookie', 'query.api_token']);
  });
});

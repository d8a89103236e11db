import { describe, expect, it } from 'vitest';
import { scimConnector } from './index.ts';

const parse = (input: unknown) => scimConnector.configSchema.safeParse(input);

describe('config', () => {
  it('fills the documented defaults', () => {
    const r = parse({ baseUrl: 'https://app.example.com/scim/v2', auth: { type: 'bearer', token: 't' } });
    expect(r.success && r.data).toMatchObject({
      timeoutMs: 15_000,
      maxRetries: 3,
      maxRetryAfterMs: 30_000,
      updateMethod: 'auto',
      pageSize: 100,
    });
  });

  it.each([
    [
      { baseUrl: 'ftp://x', auth: { type: 'bearer', token: 't' } },
      'baseUrl must be an http:// or https:// URL',
    ],
    [{ baseUrl: 'https://x', auth: { type: 'magic' } }, 'auth.type must be one of bearer, basic, oauth2'],
    [{ baseUrl: 'https://x', auth: { type: 'bearer', token: '' } }, 'auth.token must not be empty'],
    [
      { baseUrl: 'https://x', auth: { type: 'bearer', token: 't' }, headers: { Authorization: 'x' } },
      'use auth',
    ],
  ])('refuses %j with a clear message', (input, message) => {
    const r = parse(input);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it('refuses unknown fields (strict)', () => {
    expect(parse({ baseUrl: 'https://x', auth: { type: 'bearer', token: 't' }, extra: 1 }).success).toBe(
      false,
    );
  });

  it('names every credential field as secret', () => {
    expect(scimConnector.secretPaths).toEqual(['auth.token', 'auth.password', 'auth.clientSecret']);
  });
});

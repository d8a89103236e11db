import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from './scripted-server.ts';
import { failed, ok, testConnector } from './test-connector.ts';

const user = { id: 'u1', userName: 'a@example.com' };
let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});

const tokenCalls = () => server.requests.filter((r) => r.path === '/token');
const userCalls = () => server.requests.filter((r) => r.path.startsWith('/scim/Users'));

describe('authentication', () => {
  it('bearer: a 401 is auth, not retryable, after one attempt', async () => {
    server = await startScriptedServer(() => ({ status: 401, body: { detail: 'token expired' } }));
    const { connector } = testConnector({ baseUrl: server.url });
    expect(failed(await connector.get('user', 'u1'))).toMatchObject({
      code: 'auth',
      retryable: false,
      status: 401,
    });
    expect(userCalls()).toHaveLength(1);
  });

  it('basic: sends RFC 7617 credentials', async () => {
    server = await startScriptedServer(() => ({ status: 200, body: user }));
    const { connector } = testConnector({
      baseUrl: server.url,
      auth: { type: 'basic', username: 'svc', password: 'pä:ss' },
    });
    ok(await connector.get('user', 'u1'));
    expect(userCalls()[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('svc:pä:ss').toString('base64')}`,
    );
  });

  describe('oauth2 client credentials (RFC 6749 §4.4)', () => {
    let issued = 0;
    const oauth = (tokenUrl: string) => ({
      type: 'oauth2' as const,
      tokenUrl,
      clientId: 'joinery',
      clientSecret: 'client-secret-xyz',
      scope: 'scim',
    });

    it('fetches one token, reuses it until shortly before expiry, and sends client auth by Basic', async () => {
      issued = 0;
      server = await startScriptedServer((req) => {
        if (req.path === '/token')
          return {
            status: 200,
            body: { access_token: `at-${++issued}`, token_type: 'Bearer', expires_in: 3600 },
          };
        return { status: 200, body: user };
      });
      const { connector } = testConnector({
        baseUrl: server.url,
        auth: oauth(`${server.url.replace('/scim', '')}/token`),
      });
      ok(await connector.get('user', 'u1'));
      ok(await connector.get('user', 'u1'));
      expect(tokenCalls()).toHaveLength(1);
      const tokenRequest = tokenCalls()[0]!;
      expect(tokenRequest.headers.authorization).toBe(
        `Basic ${Buffer.from('joinery:client-secret-xyz').toString('base64')}`,
      );
      expect(Object.fromEntries(new URLSearchParams(tokenRequest.text))).toEqual({
        grant_type: 'client_credentials',
        scope: 'scim',
      });
      expect(userCalls().map((r) => r.headers.authorization)).toEqual(['Bearer at-1', 'Bearer at-1']);
    });

    it('renews the token when it is about to expire', async () => {
      issued = 0;
      server = await startScriptedServer((req) =>
        req.path === '/token'
          ? { status: 200, body: { access_token: `at-${++issued}`, expires_in: 1 } }
          : { status: 200, body: user },
      );
      const { connector } = testConnector({
        baseUrl: server.url,
        auth: oauth(`${server.url.replace('/scim', '')}/token`),
      });
      ok(await connector.get('user', 'u1'));
      // A 1 s token is renewed 0.1 s early (a tenth of its life, at most 60 s).
      await new Promise((resolve) => setTimeout(resolve, 950));
      ok(await connector.get('user', 'u1'));
      expect(tokenCalls()).toHaveLength(2);
      expect(userCalls().map((r) => r.headers.authorization)).toEqual(['Bearer at-1', 'Bearer at-2']);
    });

    it('on a 401 fetches a fresh token once and retries; a second 401 is auth', async () => {
      issued = 0;
      server = await startScriptedServer((req) => {
        if (req.path === '/token')
          return { status: 200, body: { access_token: `at-${++issued}`, expires_in: 3600 } };
        return req.headers.authorization === 'Bearer at-2' ? { status: 200, body: user } : { status: 401 };
      });
      const { connector } = testConnector({
        baseUrl: server.url,
        auth: oauth(`${server.url.replace('/scim', '')}/token`),
      });
      ok(await connector.get('user', 'u1'));
      expect(tokenCalls()).toHaveLength(2);
      server.script((req) =>
        req.path === '/token'
          ? { status: 200, body: { access_token: `at-${++issued}`, expires_in: 3600 } }
          : { status: 401 },
      );
      const failure = failed(await connector.get('user', 'u1'));
      expect(failure).toMatchObject({ code: 'auth', retryable: false });
      expect(tokenCalls()).toHaveLength(3);
    });

    it('a refused client is auth, and the secret stays out of the message', async () => {
      server = await startScriptedServer((req) =>
        req.path === '/token'
          ? {
              status: 401,
              body: {
                error: 'invalid_client',
                error_description: `bad ${String(req.headers.authorization)}`,
              },
            }
          : { status: 200, body: user },
      );
      const { connector } = testConnector({
        baseUrl: server.url,
        auth: oauth(`${server.url.replace('/scim', '')}/token`),
      });
      const failure = failed(await connector.get('user', 'u1'));
      expect(failure).toMatchObject({ code: 'auth', retryable: false });
      expect(failure.message).not.toContain(Buffer.from('joinery:client-secret-xyz').toString('base64'));
      expect(failure.message).not.toContain('client-secret-xyz');
      expect(userCalls()).toHaveLength(0);
    });
  });
});

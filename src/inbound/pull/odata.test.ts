import { afterEach, describe, expect, it } from 'vitest';
import { type HttpJsonPullConfig, type PullError, pullHttpJson } from './index.ts';
import {
  basicHeader,
  collect,
  collectFailure,
  sendJson,
  startServer,
  type TestServer,
} from './test-support.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** SuccessFactors User entities as OData v2 JSON renders them. */
const sfUsers = ['Ann', 'Bob', 'Cleo', 'Dev', 'Ema'].map((firstName, i) => ({
  __metadata: {
    uri: `https://api4.successfactors.com/odata/v2/User('10${i}')`,
    type: 'SFOData.User',
  },
  userId: `10${i}`,
  username: firstName.toLowerCase(),
  firstName,
  lastName: 'Sample',
  email: `${firstName.toLowerCase()}@example.com`,
  status: 'active',
  hireDate: `/Date(${Date.UTC(2023, i, 1)})/`,
  lastModifiedDateTime: `/Date(${Date.UTC(2024, 2, 1 + i, 9)}+0000)/`,
  manager: { __deferred: { uri: `https://api4.successfactors.com/odata/v2/User('10${i}')/manager` } },
}));

interface SfState {
  tokensIssued: number;
  valid: Set<string>;
  /** Tokens are revoked after this many data pages, to force a 401 mid-run. */
  revokeAfterPage?: number;
  /** After this many data pages every token, even a fresh one, is refused. */
  rejectAllAfterPage?: number;
  onPage?: (page: number) => void;
  expiresIn?: number;
}

function startSuccessFactors(state: SfState) {
  let pagesServed = 0;
  return startServer((req, res) => {
    if (req.url.pathname === '/oauth/token') {
      const form = new URLSearchParams(req.body);
      const viaBasic = req.headers.authorization === basicHeader('joinery-client', 'sf-secret-42');
      const viaPost =
        form.get('client_id') === 'joinery-client' && form.get('client_secret') === 'sf-secret-42';
      if (form.get('grant_type') !== 'client_credentials' || !(viaBasic || viaPost))
        return sendJson(res, 401, {
          error: 'invalid_client',
          error_description: 'client authentication failed',
        });
      state.tokensIssued += 1;
      const token = `sf-access-${state.tokensIssued}`;
      state.valid.add(token);
      return sendJson(res, 200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: state.expiresIn ?? 3600,
      });
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const refuseAll = state.rejectAllAfterPage !== undefined && pagesServed >= state.rejectAllAfterPage;
    if (refuseAll || !state.valid.has(token))
      return sendJson(res, 401, {
        error: { code: 'COE_INVALID_TOKEN', message: { lang: 'en-US', value: 'Invalid token' } },
      });
    const skip = Number(req.url.searchParams.get('$skiptoken') ?? 0);
    const results = sfUsers.slice(skip, skip + 2);
    const d: Record<string, unknown> = { results };
    if (skip + 2 < sfUsers.length)
      d.__next = `${server?.base}/odata/v2/User?$format=json&$skiptoken=${skip + 2}`;
    pagesServed += 1;
    state.onPage?.(pagesServed);
    if (state.revokeAfterPage === pagesServed) state.valid.clear();
    sendJson(res, 200, { d });
  });
}

const sfConfig = (base: string, secret = 'sf-secret-42'): HttpJsonPullConfig => ({
  url: `${base}/odata/v2/User`,
  query: {
    $format: 'json',
    $select: 'userId,username,firstName,lastName,email,status,hireDate,lastModifiedDateTime',
  },
  auth: { type: 'oauth2', tokenUrl: `${base}/oauth/token`, clientId: 'joinery-client', clientSecret: secret },
  recordsPath: 'd.results',
  paging: { type: 'nextLink', path: 'd.__next' },
  watermarkPath: 'lastModifiedDateTime',
});

const dataRequests = (s: TestServer) => s.requests.filter((r) => r.url.pathname !== '/oauth/token');
const tokenRequests = (s: TestServer) => s.requests.filter((r) => r.url.pathname === '/oauth/token');

describe('SuccessFactors OData v2 with OAuth2 client credentials', () => {
  it('follows d.__next across pages and asks for a token once', async () => {
    const state: SfState = { tokensIssued: 0, valid: new Set() };
    server = await startSuccessFactors(state);
    const result = await collect(pullHttpJson(sfConfig(server.base), {}));
    expect(result.records).toEqual(sfUsers);
    expect(result.pages).toBe(3);
    expect(result.watermark).toBe(sfUsers[4]?.lastModifiedDateTime);
    expect(tokenRequests(server)).toHaveLength(1);
    expect(tokenRequests(server)[0]?.body).toBe('grant_type=client_credentials');
    expect(dataRequests(server).map((r) => r.url.searchParams.get('$skiptoken'))).toEqual([null, '2', '4']);
    expect(dataRequests(server).every((r) => r.headers.authorization === 'Bearer sf-access-1')).toBe(true);
  });

  it('gets a new token once when the server answers 401 mid-run', async () => {
    const state: SfState = { tokensIssued: 0, valid: new Set(), revokeAfterPage: 1 };
    server = await startSuccessFactors(state);
    const result = await collect(pullHttpJson(sfConfig(server.base), {}));
    expect(result.records.map((r) => r.userId)).toEqual(['100', '101', '102', '103', '104']);
    expect(tokenRequests(server)).toHaveLength(2);
    expect(dataRequests(server).map((r) => r.headers.authorization)).toEqual([
      'Bearer sf-access-1',
      'Bearer sf-access-1',
      'Bearer sf-access-2',
      'Bearer sf-access-2',
    ]);
  });

  it('fails when the fresh token is rejected too, after one refresh', async () => {
    const state: SfState = { tokensIssued: 0, valid: new Set(), rejectAllAfterPage: 1 };
    server = await startSuccessFactors(state);
    const { error, records } = await collectFailure(pullHttpJson(sfConfig(server.base), {}));
    expect(records).toHaveLength(2);
    expect((error as PullError).failure).toMatchObject({ status: 401, retryable: false });
    expect(tokenRequests(server)).toHaveLength(2);
  });

  it('renews the token once it has expired', async () => {
    let clock = Date.parse('2024-03-10T08:00:00Z');
    const state: SfState = {
      tokensIssued: 0,
      valid: new Set(),
      expiresIn: 120,
      onPage: () => {
        clock += 200_000;
      },
    };
    server = await startSuccessFactors(state);
    const result = await collect(pullHttpJson(sfConfig(server.base), { now: () => new Date(clock) }));
    expect(result.records).toHaveLength(5);
    expect(dataRequests(server).map((r) => r.headers.authorization)).toEqual([
      'Bearer sf-access-1',
      'Bearer sf-access-2',
      'Bearer sf-access-3',
    ]);
  });

  it('can send client credentials in the form body', async () => {
    const state: SfState = { tokensIssued: 0, valid: new Set() };
    server = await startSuccessFactors(state);
    const config = sfConfig(server.base);
    if (config.auth.type !== 'oauth2') throw new Error('fixture');
    config.auth = { ...config.auth, clientAuth: 'post', scope: 'user.read' };
    const result = await collect(pullHttpJson(config, {}));
    expect(result.records).toHaveLength(5);
    const form = new URLSearchParams(tokenRequests(server)[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      scope: 'user.read',
      client_id: 'joinery-client',
      client_secret: 'sf-secret-42',
    });
    expect(tokenRequests(server)[0]?.headers.authorization).toBeUndefined();
  });

  it('reports a rejected client secret without revealing it', async () => {
    server = await startSuccessFactors({ tokensIssued: 0, valid: new Set() });
    const { error } = await collectFailure(pullHttpJson(sfConfig(server.base, 'not-the-secret'), {}));
    const failure = (error as PullError).failure;
    expect(failure).toMatchObject({ status: 401, retryable: false });
    expect(failure.message).toContain('invalid_client');
    expect(JSON.stringify(failure)).not.toContain('not-the-secret');
    expect(dataRequests(server)).toHaveLength(0);
  });
});

describe('OData v4 @odata.nextLink', () => {
  it('reads value pages and resolves a relative next link', async () => {
    const people = Array.from({ length: 3 }, (_, i) => ({
      '@odata.etag': `W/"${i}"`,
      id: `p-${i}`,
      displayName: `Person ${i}`,
      jobTitle: 'Analyst',
      lastModifiedDateTime: `2024-04-0${i + 1}T12:00:00Z`,
    }));
    server = await startServer((req, res) => {
      const skip = Number(req.url.searchParams.get('$skiptoken') ?? 0);
      const body: Record<string, unknown> = {
        '@odata.context': `${server?.base}/api/v1/$metadata#workers`,
        value: people.slice(skip, skip + 2),
      };
      if (skip + 2 < people.length) body['@odata.nextLink'] = `workers?$skiptoken=${skip + 2}`;
      sendJson(res, 200, body);
    });
    const result = await collect(
      pullHttpJson(
        {
          url: `${server.base}/api/v1/workers`,
          query: { $top: '2' },
          auth: { type: 'bearer', token: 'v4-token' },
          recordsPath: 'value',
          paging: { type: 'nextLink', path: '@odata.nextLink' },
          watermarkPath: 'lastModifiedDateTime',
        },
        {},
      ),
    );
    expect(result.records).toEqual(people);
    expect(result.watermark).toBe('2024-04-03T12:00:00Z');
    expect(server.requests.map((r) => r.url.pathname + r.url.search)).toEqual([
      '/api/v1/workers?$top=2',
      '/api/v1/workers?$skiptoken=2',
    ]);
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer v4-token')).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type HttpJsonPullConfig, type PullError, pullHttpJson } from './index.ts';
import { collect, collectFailure, sendJson, startServer, type TestServer } from './test-support.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (base: string, extra: Partial<HttpJsonPullConfig> = {}): HttpJsonPullConfig => ({
  url: `${base}/api/now/table/sys_user`,
  auth: { type: 'bearer', token: 'tok-secret-123' },
  recordsPath: 'result',
  paging: { type: 'none' },
  ...extra,
});

describe('loop protection', () => {
  it('stops when a next link comes back to a page already read', async () => {
    server = await startServer((req, res) => {
      const page = req.url.searchParams.get('page') ?? '1';
      const next = page === '1' ? '?page=2' : '?page=1';
      sendJson(res, 200, { value: [{ id: `p${page}` }], '@odata.nextLink': next });
    });
    const { error, records } = await collectFailure(
      pullHttpJson(
        config(server.base, {
          recordsPath: 'value',
          paging: { type: 'nextLink', path: '@odata.nextLink' },
          query: { page: '1' },
        }),
        {},
      ),
    );
    expect((error as PullError).failure.message).toContain('paging loop');
    expect(records).toEqual([{ id: 'p1' }, { id: 'p2' }]);
    expect(server.requests).toHaveLength(2);
  });

  it('fails instead of truncating when maxPages is reached', async () => {
    server = await startServer((req, res) => {
      const page = Number(req.url.searchParams.get('page') ?? 1);
      sendJson(res, 200, { value: [{ id: page }], '@odata.nextLink': `?page=${page + 1}` });
    });
    const { error, records } = await collectFailure(
      pullHttpJson(
        config(server.base, {
          recordsPath: 'value',
          paging: { type: 'nextLink', path: '@odata.nextLink' },
          maxPages: 3,
        }),
        {},
      ),
    );
    expect((error as PullError).failure.message).toContain('stopped after 3 pages');
    expect(records).toHaveLength(3);
  });

  it('refuses a next link to another origin', async () => {
    server = await startServer((_req, res) =>
      sendJson(res, 200, { value: [{ id: 1 }], '@odata.nextLink': 'https://attacker.example/steal' }),
    );
    const { error } = await collectFailure(
      pullHttpJson(
        config(server.base, { recordsPath: 'value', paging: { type: 'nextLink', path: '@odata.nextLink' } }),
        {},
      ),
    );
    expect((error as PullError).failure.message).toContain('refusing to send credentials there');
    expect(server.requests).toHaveLength(1);
  });

  it('posts a JSON body and keeps it on every page', async () => {
    server = await startServer((req, res) => {
      const page = Number(req.url.searchParams.get('page') ?? 1);
      const body: Record<string, unknown> = { data: [{ id: page }] };
      if (page < 2) body.next = `?page=${page + 1}`;
      sendJson(res, 200, body);
    });
    const result = await collect(
      pullHttpJson(
        config(server.base, {
          method: 'POST',
          body: { filter: { status: 'active' } },
          recordsPath: 'data',
          paging: { type: 'nextLink', path: 'next' },
        }),
        {},
      ),
    );
    expect(result.records).toEqual([{ id: 1 }, { id: 2 }]);
    expect(server.requests.map((r) => [r.method, r.headers['content-type'], r.body])).toEqual([
      ['POST', 'application/json', '{"filter":{"status":"active"}}'],
      ['POST', 'application/json', '{"filter":{"status":"active"}}'],
    ]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type PullError, pullHttpJson } from './index.ts';
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

/** sys_user rows as the Table API returns them (sysparm_display_value=false). */
const snUsers = Array.from({ length: 5 }, (_, i) => ({
  sys_id: `6816f79cc0a8016401c5a33be04be44${i}`,
  user_name: `user${i}`,
  first_name: ['Abel', 'Beth', 'Carl', 'Dana', 'Eve'][i],
  last_name: 'Tuter',
  email: `user${i}@example.com`,
  employee_number: `E-${1000 + i}`,
  active: i === 3 ? 'false' : 'true',
  manager:
    i === 0
      ? ''
      : {
          link: 'https://acme.service-now.com/api/now/table/sys_user/6816f79cc0a8016401c5a33be04be440',
          value: '6816f79cc0a8016401c5a33be04be440',
        },
  sys_updated_on: `2024-03-0${i + 1} 10:00:00`,
}));

describe('ServiceNow Table API', () => {
  const path = '/api/now/table/sys_user';
  const serve = (opts: { link: boolean }) =>
    startServer((req, res) => {
      const ok =
        req.headers.authorization === 'Bearer sn-token-1' ||
        req.headers.authorization === basicHeader('joinery.integration', 'sn-pw');
      if (!ok)
        return sendJson(res, 401, {
          error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
          status: 'failure',
        });
      const offset = Number(req.url.searchParams.get('sysparm_offset') ?? 0);
      const limit = Number(req.url.searchParams.get('sysparm_limit') ?? 10_000);
      const headers: Record<string, string> = { 'x-total-count': String(snUsers.length) };
      if (opts.link) {
        const at = (o: number) => `<${path}?sysparm_limit=${limit}&sysparm_offset=${o}>`;
        const links = [`${at(0)};rel="first"`];
        if (offset + limit < snUsers.length) links.push(`${at(offset + limit)};rel="next"`);
        links.push(`${at(snUsers.length - 1)};rel="last"`);
        headers.link = links.join(',');
      }
      sendJson(res, 200, { result: snUsers.slice(offset, offset + limit) }, headers);
    });

  it('pages with sysparm_offset/sysparm_limit until a short page', async () => {
    server = await serve({ link: false });
    const result = await collect(
      pullHttpJson(
        {
          url: `${server.base}${path}`,
          query: { sysparm_query: 'ORDERBYsys_created_on', sysparm_exclude_reference_link: 'false' },
          auth: { type: 'bearer', token: 'sn-token-1' },
          recordsPath: 'result',
          paging: { type: 'offset', offsetParam: 'sysparm_offset', limitParam: 'sysparm_limit', pageSize: 2 },
          watermarkPath: 'sys_updated_on',
        },
        {},
      ),
    );
    expect(result.records).toEqual(snUsers);
    expect(result.pages).toBe(3);
    expect(result.watermark).toBe('2024-03-05 10:00:00');
    expect(server.requests.map((r) => r.url.searchParams.get('sysparm_offset'))).toEqual(['0', '2', '4']);
    expect(
      server.requests.every((r) => r.url.searchParams.get('sysparm_query') === 'ORDERBYsys_created_on'),
    ).toBe(true);
  });

  it('stops on an empty page when the last full page ends the table', async () => {
    server = await serve({ link: false });
    const result = await collect(
      pullHttpJson(
        {
          url: `${server.base}${path}`,
          auth: { type: 'bearer', token: 'sn-token-1' },
          recordsPath: 'result',
          paging: {
            type: 'offset',
            offsetParam: 'sysparm_offset',
            limitParam: 'sysparm_limit',
            pageSize: 5,
            start: 0,
          },
        },
        {},
      ),
    );
    expect(result.records).toEqual(snUsers);
    expect(result.pages).toBe(1);
    expect(server.requests.map((r) => r.url.searchParams.get('sysparm_offset'))).toEqual(['0', '5']);
  });

  it('follows a relative Link rel="next" with basic auth', async () => {
    server = await serve({ link: true });
    const result = await collect(
      pullHttpJson(
        {
          url: `${server.base}${path}`,
          query: { sysparm_limit: '2' },
          auth: { type: 'basic', username: 'joinery.integration', password: 'sn-pw' },
          recordsPath: 'result',
          paging: { type: 'linkHeader' },
        },
        {},
      ),
    );
    expect(result.records.map((r) => r.user_name)).toEqual(['user0', 'user1', 'user2', 'user3', 'user4']);
    expect(result.pages).toBe(3);
    expect(server.requests.map((r) => r.url.search)).toEqual([
      '?sysparm_limit=2',
      '?sysparm_limit=2&sysparm_offset=2',
      '?sysparm_limit=2&sysparm_offset=4',
    ]);
  });

  it('puts the watermark into sysparm_query through a template', async () => {
    server = await serve({ link: false });
    await collect(
      pullHttpJson(
        {
          url: `${server.base}${path}`,
          query: { sysparm_query: 'ORDERBYsys_updated_on' },
          auth: { type: 'bearer', token: 'sn-token-1' },
          recordsPath: 'result',
          paging: { type: 'none' },
          deltaParam: { name: 'sysparm_query', template: 'sys_updated_on>{watermark}^ORDERBYsys_updated_on' },
          watermarkPath: 'sys_updated_on',
        },
        { watermark: '2024-03-03 10:00:00' },
      ),
    );
    expect(server.requests[0]?.url.searchParams.get('sysparm_query')).toBe(
      'sys_updated_on>2024-03-03 10:00:00^ORDERBYsys_updated_on',
    );
  });

  it('notices a source that ignores the offset parameter', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { result: snUsers.slice(0, 2) }));
    const { error, records } = await collectFailure(
      pullHttpJson(
        {
          url: `${server.base}${path}`,
          auth: { type: 'none' },
          recordsPath: 'result',
          paging: { type: 'offset', offsetParam: 'sysparm_offset', limitParam: 'sysparm_limit', pageSize: 2 },
        },
        {},
      ),
    );
    expect((error as PullError).failure.message).toMatch(/paging loop: offset 2 returned the same records/);
    expect(records).toHaveLength(2);
  });
});

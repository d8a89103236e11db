// The in-memory SCIM target over real HTTP: the protocol basics the outbound engine relies on, the
// control endpoints, fault injection, a restart on the same port, and the child-process entry.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { type MemoryScimTarget, startMemoryScimTarget } from './memory-scim-target.ts';

const TOKEN = 'target-secret';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Body = Record<string, unknown>;

let target: MemoryScimTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

async function start(port?: number): Promise<MemoryScimTarget> {
  target = await startMemoryScimTarget({ token: TOKEN, ...(port !== undefined ? { port } : {}) });
  return target;
}

async function call(
  t: MemoryScimTarget,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<{ status: number; body: Body; headers: Headers }> {
  const headers: Record<string, string> = { Accept: 'application/scim+json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/scim+json';
  const res = await fetch(`${path.startsWith('/_control') ? t.origin : t.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Body) : {}, headers: res.headers };
}

const patch = (...Operations: Body[]) => ({ schemas: [PATCH_OP], Operations });

describe('memory SCIM target', () => {
  it('asks for the bearer token and describes itself', async () => {
    const t = await start();
    expect((await call(t, 'GET', '/Users', undefined, null)).status).toBe(401);
    expect((await call(t, 'GET', '/Users', undefined, 'wrong')).status).toBe(401);
    const config = await call(t, 'GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
    });
  });

  it('creates, reads, lists with eq filters and pages users', async () => {
    const t = await start();
    const created = await call(t, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'O"Brien@acme.example',
      externalId: 'HR-1',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`${t.url}/Users/${id}`);
    expect(created.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect(typeof (created.body.meta as Body).lastModified).toBe('string');
    // userName is unique regardless of case.
    const dup = await call(t, 'POST', '/Users', { userName: 'o"brien@ACME.example' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
    expect((await call(t, 'GET', `/Users/${id}`)).body.userName).toBe('O"Brien@acme.example');
    expect((await call(t, 'GET', '/Users/nope')).status).toBe(404);

    const filter = (f: string) => call(t, 'GET', `/Users?filter=${encodeURIComponent(f)}`);
    const byName = await filter('userName eq "o\\"brien@acme.example"');
    expect(byName.body).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    expect((await filter('externalId eq "HR-1"')).body.totalResults).toBe(1);
    expect((await filter('externalId eq "hr-1"')).body.totalResults).toBe(0);
    expect((await filter(`id eq "${id}"`)).body.totalResults).toBe(1);
    expect((await filter('userName eq "x')).status).toBe(400);

    for (let i = 0; i < 4; i++) await call(t, 'POST', '/Users', { userName: `u${i}@acme.example` });
    const page = await call(t, 'GET', '/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 5, itemsPerPage: 2, startIndex: 2 });
    expect((page.body.Resources as Body[]).map((r) => r.userName)).toEqual([
      'u0@acme.example',
      'u1@acme.example',
    ]);
  });

  it('patches users: no-path replace, value-filter paths, the enterprise extension, remove', async () => {
    const t = await start();
    const { body } = await call(t, 'POST', '/Users', {
      userName: 'ada@acme.example',
      emails: [
        { value: 'ada@acme.example', type: 'work', primary: true },
        { value: 'ada@home.example', type: 'home' },
      ],
    });
    const id = body.id as string;
    const res = await call(
      t,
      'PATCH',
      `/Users/${id}`,
      patch(
        { op: 'replace', value: { title: 'Engineer', name: { givenName: 'Ada' }, active: false } },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'ada.l@acme.example' },
        { op: 'add', path: `${ENTERPRISE}:department`, value: 'R&D' },
        { op: 'replace', path: 'name.familyName', value: 'Lovelace' },
        { op: 'remove', path: 'emails[type eq "home"]' },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: 'Engineer',
      active: false,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada.l@acme.example', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'R&D' },
      meta: { version: 'W/"2"' },
    });
    expect(res.body.schemas).toContain(ENTERPRISE);
    const removed = await call(t, 'PATCH', `/Users/${id}`, patch({ op: 'remove', path: 'title' }));
    expect(removed.body.title).toBeUndefined();
    const bad = await call(t, 'PATCH', `/Users/${id}`, patch({ op: 'remove' }));
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('noTarget');
  });

  it('manages group members with PATCH, replaces with PUT and deletes', async () => {
    const t = await start();
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      ids.push((await call(t, 'POST', '/Users', { userName: `${name}@acme.example` })).body.id as string);
    }
    const [a, b, c] = ids as [string, string, string];
    const group = await call(t, 'POST', '/Groups', { displayName: 'Staff', members: [{ value: a }] });
    expect(group.status).toBe(201);
    const gid = group.body.id as string;
    const members = async () =>
      ((await call(t, 'GET', `/Groups/${gid}`)).body.members as Body[]).map((m) => m.value);
    await call(
      t,
      'PATCH',
      `/Groups/${gid}`,
      patch({ op: 'add', path: 'members', value: [{ value: b }, { value: a }] }),
    );
    expect(await members()).toEqual([a, b]);
    await call(t, 'PATCH', `/Groups/${gid}`, patch({ op: 'remove', path: `members[value eq "${a}"]` }));
    expect(await members()).toEqual([b]);
    expect(
      (
        await call(
          t,
          'PATCH',
          `/Groups/${gid}`,
          patch({ op: 'add', path: 'members', value: [{ value: 'x' }] }),
        )
      ).status,
    ).toBe(400);
    const put = await call(t, 'PUT', `/Groups/${gid}`, { displayName: 'Everyone', members: [{ value: c }] });
    expect(put.body).toMatchObject({
      displayName: 'Everyone',
      members: [{ value: c }],
      meta: { version: 'W/"4"' },
    });
    expect(
      (await call(t, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "everyone"')}`)).body
        .totalResults,
    ).toBe(1);
    expect((await call(t, 'GET', '/_control/stats')).body).toMatchObject({
      users: 3,
      groups: 1,
      memberships: 1,
    });
    expect((await call(t, 'DELETE', `/Users/${c}`)).status).toBe(204);
    expect((await call(t, 'DELETE', `/Users/${c}`)).status).toBe(404);
    expect(await members()).toEqual([]);
    expect((await call(t, 'DELETE', `/Groups/${gid}`)).status).toBe(204);
  });

  it('logs writes, counts requests, injects faults and resets', async () => {
    const t = await start();
    const before = Date.now();
    const u = await call(t, 'POST', '/Users', { userName: 'w@acme.example' });
    await call(
      t,
      'PATCH',
      `/Users/${u.body.id as string}`,
      patch({ op: 'replace', path: 'title', value: 'x' }),
    );
    const writes = await call(t, 'GET', `/_control/writes?since=${before}`);
    expect(writes.body).toMatchObject([
      { method: 'POST', kind: 'User', id: u.body.id, userName: 'w@acme.example' },
      { method: 'PATCH', kind: 'User', id: u.body.id },
    ]);
    const at = (writes.body as unknown as { at: number }[])[1]?.at ?? 0;
    expect(at).toBeGreaterThanOrEqual(before);
    expect((await call(t, 'GET', `/_control/writes?since=${Date.now() + 1000}`)).body).toEqual([]);

    expect(
      (await call(t, 'POST', '/_control/faults', { status: 503, retryAfterSeconds: 2, count: 2 })).status,
    ).toBe(204);
    const first = await call(t, 'GET', '/Users');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await call(t, 'POST', '/Users', { userName: 'lost@acme.example' })).status).toBe(503);
    expect((await call(t, 'GET', '/Users')).status).toBe(200);
    expect((await call(t, 'POST', '/_control/faults', { status: 418 })).status).toBe(400);

    await call(t, 'POST', '/_control/faults', { status: 429, probability: 0.5 });
    let limited = 0;
    for (let i = 0; i < 200; i++)
      if ((await call(t, 'GET', '/ServiceProviderConfig')).status === 429) limited++;
    expect(limited).toBeGreaterThan(50);
    expect(limited).toBeLessThan(150);

    const stats = (await call(t, 'GET', '/_control/stats')).body;
    expect(stats).toMatchObject({ users: 1, objects: 1, faultsInjected: 2 + limited });
    expect((stats.requests as Record<string, number>)['POST /Users']).toBe(2);
    expect((stats.requests as Record<string, number>)['PATCH /Users/:id']).toBe(1);
    expect(((await call(t, 'GET', '/_control/dump')).body.users as Body[]).length).toBe(1);

    await call(t, 'POST', '/_control/reset');
    expect((await call(t, 'GET', '/_control/stats')).body).toMatchObject({
      users: 0,
      faultsInjected: 0,
      requests: {},
    });
    expect((await call(t, 'GET', '/Users')).status).toBe(200);
  });

  it('restarts on the same port', async () => {
    const first = await start();
    const { port } = first;
    await first.close();
    target = undefined;
    const again = await start(port);
    expect(again.url).toBe(`http://127.0.0.1:${port}/scim/v2`);
    expect((await call(again, 'GET', '/Users')).body.totalResults).toBe(0);
  });

  it('runs as a child process that prints its URL and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['bin/run-ts.mjs', 'test/peers/memory-scim-target-main.ts', '--port', '0', '--token', TOKEN],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let out = '';
      const url = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const line = /^listening (\S+)$/m.exec(out);
          if (line?.[1]) done(line[1]);
        });
        child.once('exit', (code) => fail(new Error(`the target exited (${code}): ${out}`)));
      });
      const res = await fetch(`${url}/Users`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

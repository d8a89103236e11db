import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { failed } from '../../test/results.ts';
import { fakeClock, newId, type RequestContext, unwrap } from '../core/index.ts';
import type { Database, Tables } from '../db/index.ts';
import { createDirectory, type Directory, type Group, type Member, type Page, type User } from './index.ts';
import { rowCount } from './test-support.ts';

const ctx: RequestContext = {
  actor: { type: 'token', id: 'tok-1', name: 'sync' },
  correlationId: 'corr-members',
};

let seq = 0;

describe('memberships', () => {
  let database: Database;
  let dir: Directory;

  beforeAll(async () => {
    database = await openTestDatabase();
    dir = createDirectory({ db: database.db, clock: fakeClock('2026-08-01T00:00:00Z'), retentionDays: 30 });
  });
  afterAll(async () => {
    await database.close();
  });

  const user = async (displayName?: string): Promise<User> =>
    unwrap(
      await dir.createUser(ctx, { userName: `m${++seq}-${newId().slice(-6)}@example.com`, displayName }),
    );
  const group = async (displayName = `Group ${++seq}`): Promise<Group> =>
    unwrap(await dir.createGroup(ctx, { displayName }));
  const u = (x: { id: string }) => ({ type: 'user' as const, id: x.id });
  const g = (x: { id: string }) => ({ type: 'group' as const, id: x.id });
  const snapshot = async () => {
    const n = (table: keyof Tables) => rowCount(database, table);
    return { members: await n('group_members'), audit: await n('audit_log'), events: await n('events') };
  };
  const allMembers = async (groupId: string, transitive = false) =>
    unwrap(await dir.listMembers(groupId, { transitive, limit: 1000 }))
      .items.map((m) => `${m.type}:${m.id}`)
      .sort();

  it('adds users and nested groups, auditing and emitting one membership.added per member', async () => {
    const team = await group('Team');
    const sub = await group('Sub');
    const ann = await user('Ann');
    const ben = await user('Ben');
    const result = unwrap(await dir.addMembers(ctx, team.id, [u(ann), g(sub), u(ben), u(ann)]));
    expect(result.added).toEqual([u(ann), g(sub), u(ben)]);
    const page = unwrap(await dir.listMembers(team.id, { limit: 10 }));
    expect(page.items).toEqual(
      [
        { type: 'user', id: ann.id, name: ann.userName, displayName: 'Ann' },
        { type: 'group', id: sub.id, name: 'Sub', displayName: 'Sub' },
        { type: 'user', id: ben.id, name: ben.userName, displayName: 'Ben' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(page.nextCursor).toBeNull();

    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', team.id)
      .where('action', '=', 'membership.add')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.changes)).toEqual([
      [{ attribute: 'members', before: null, after: u(ann) }],
      [{ attribute: 'members', before: null, after: g(sub) }],
      [{ attribute: 'members', before: null, after: u(ben) }],
    ]);
    const events = await database.db
      .selectFrom('events')
      .selectAll()
      .where('aggregate_id', '=', team.id)
      .where('type', '=', 'membership.added')
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.aggregate_type, e.payload])).toEqual([
      ['group', { groupId: team.id, memberType: 'user', memberId: ann.id }],
      ['group', { groupId: team.id, memberType: 'group', memberId: sub.id }],
      ['group', { groupId: team.id, memberType: 'user', memberId: ben.id }],
    ]);
  });

  it('treats re-adding present members as a no-op with no audit and no event', async () => {
    const team = await group();
    const ann = await user();
    const ben = await user();
    unwrap(await dir.addMembers(ctx, team.id, [u(ann)]));
    const before = await snapshot();
    expect(unwrap(await dir.addMembers(ctx, team.id, [u(ann)])).added).toEqual([]);
    expect(unwrap(await dir.addMembers(ctx, team.id, [])).added).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(unwrap(await dir.addMembers(ctx, team.id, [u(ann), u(ben)])).added).toEqual([u(ben)]);
    const after = await snapshot();
    expect(after).toEqual({
      members: before.members + 1,
      audit: before.audit + 1,
      events: before.events + 1,
    });
  });

  it('rejects the whole call when one member does not exist or is deleted', async () => {
    const team = await group();
    const ok = await user();
    const gone = await user();
    unwrap(await dir.deleteUser(ctx, gone.id));
    const ghost = newId();
    const before = await snapshot();
    const unknown = failed(await dir.addMembers(ctx, team.id, [u(ok), { type: 'user', id: ghost }]));
    expect(unknown).toMatchObject({
      code: 'directory.member_not_found',
      details: { type: 'user', id: ghost },
    });
    expect(failed(await dir.addMembers(ctx, team.id, [u(ok), u(gone)])).code).toBe(
      'directory.member_not_found',
    );
    // A user id given as a group is not a group.
    expect(failed(await dir.addMembers(ctx, team.id, [{ type: 'group', id: ok.id }])).code).toBe(
      'directory.member_not_found',
    );
    expect(await snapshot()).toEqual(before);
    const deletedGroup = await group();
    unwrap(await dir.deleteGroup(ctx, deletedGroup.id));
    expect(failed(await dir.addMembers(ctx, deletedGroup.id, [u(ok)])).code).toBe(
      'directory.group_not_found',
    );
    expect(failed(await dir.addMembers(ctx, team.id, [g(deletedGroup)])).code).toBe(
      'directory.member_not_found',
    );
  });

  it('rejects nesting a group in itself, directly or through other groups, writing nothing', async () => {
    const a = await group('A');
    const b = await group('B');
    const c = await group('C');
    const before0 = await snapshot();
    expect(failed(await dir.addMembers(ctx, a.id, [g(a)]))).toMatchObject({
      code: 'directory.membership_cycle',
      details: { groupId: a.id, memberId: a.id },
    });
    expect(await snapshot()).toEqual(before0);
    unwrap(await dir.addMembers(ctx, b.id, [g(a)])); // A in B
    const before = await snapshot();
    expect(failed(await dir.addMembers(ctx, a.id, [g(b)])).code).toBe('directory.membership_cycle'); // B in A
    unwrap(await dir.addMembers(ctx, c.id, [g(b)])); // B in C: A in B in C
    const ann = await user();
    const mid = await snapshot();
    expect(failed(await dir.addMembers(ctx, a.id, [u(ann), g(c)])).code).toBe('directory.membership_cycle'); // C in A
    expect(await snapshot()).toEqual(mid);
    expect(mid.members).toBe(before.members + 1);
    expect(await allMembers(a.id)).toEqual([]);
  });

  it('lets only one of two concurrent opposite nestings through', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await group();
      const b = await group();
      const results = await Promise.all([
        dir.addMembers(ctx, a.id, [g(b)]),
        dir.addMembers(ctx, b.id, [g(a)]),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(failed(results.find((r) => !r.ok)!).code).toBe('directory.membership_cycle');
    }
  });

  it('lists transitive members through three levels, once each, without deleted users or deleted groups', async () => {
    const top = await group('Top');
    const mid = await group('Mid');
    const low = await group('Low');
    const side = await group('Side');
    const [t1, m1, l1, l2, s1, shared] = [
      await user(),
      await user(),
      await user(),
      await user(),
      await user(),
      await user(),
    ];
    unwrap(await dir.addMembers(ctx, top.id, [u(t1), g(mid), g(side)]));
    unwrap(await dir.addMembers(ctx, mid.id, [u(m1), g(low), u(shared)]));
    unwrap(await dir.addMembers(ctx, low.id, [u(l1), u(l2), u(shared)]));
    unwrap(await dir.addMembers(ctx, side.id, [u(s1), g(low)]));

    expect(await allMembers(top.id)).toEqual([`user:${t1.id}`, `group:${mid.id}`, `group:${side.id}`].sort());
    expect(await allMembers(top.id, true)).toEqual(
      [t1, m1, l1, l2, s1, shared]
        .map((x) => `user:${x.id}`)
        .concat([mid, low, side].map((x) => `group:${x.id}`))
        .sort(),
    );
    expect(await allMembers(low.id, true)).toEqual([l1, l2, shared].map((x) => `user:${x.id}`).sort());

    unwrap(await dir.deleteUser(ctx, l2.id));
    expect(await allMembers(low.id)).toEqual([l1, shared].map((x) => `user:${x.id}`).sort());
    expect(await allMembers(top.id, true)).not.toContain(`user:${l2.id}`);

    // A deleted nested group passes on no members: Side's own members drop out, Low still comes via Mid.
    unwrap(await dir.deleteGroup(ctx, side.id));
    expect(await allMembers(top.id, true)).toEqual(
      [t1, m1, l1, shared]
        .map((x) => `user:${x.id}`)
        .concat([mid, low].map((x) => `group:${x.id}`))
        .sort(),
    );
    unwrap(await dir.restoreUser(ctx, l2.id));
    expect(await allMembers(top.id, true)).toContain(`user:${l2.id}`);
  });

  it('answers memberOf directly and transitively, marking direct memberships', async () => {
    const top = await group('Top');
    const mid = await group('Mid');
    const low = await group('Low');
    const other = await group('Other');
    const ann = await user();
    unwrap(await dir.addMembers(ctx, top.id, [g(mid), u(ann)]));
    unwrap(await dir.addMembers(ctx, mid.id, [g(low)]));
    unwrap(await dir.addMembers(ctx, low.id, [u(ann)]));
    unwrap(await dir.addMembers(ctx, other.id, [g(low)]));

    expect(await dir.memberOf(ann.id)).toEqual(
      [
        { id: top.id, displayName: 'Top', direct: true },
        { id: low.id, displayName: 'Low', direct: true },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(await dir.memberOf(ann.id, { transitive: true })).toEqual(
      [
        { id: top.id, displayName: 'Top', direct: true },
        { id: mid.id, displayName: 'Mid', direct: false },
        { id: low.id, displayName: 'Low', direct: true },
        { id: other.id, displayName: 'Other', direct: false },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect((await dir.memberOf(low.id, { transitive: true })).map((x) => x.id).sort()).toEqual(
      [mid.id, top.id, other.id].sort(),
    );

    // Through a deleted group no membership is inherited (the mirror of listMembers).
    unwrap(await dir.deleteGroup(ctx, mid.id));
    expect((await dir.memberOf(low.id, { transitive: true })).map((x) => x.id)).toEqual([other.id]);
    const viaMembers = await allMembers(top.id, true);
    expect(viaMembers).toEqual([`user:${ann.id}`]);
  });

  it('removes a direct user or group member with audit and membership.removed', async () => {
    const team = await group();
    const sub = await group();
    const ann = await user();
    unwrap(await dir.addMembers(ctx, team.id, [u(ann), g(sub)]));
    expect(unwrap(await dir.removeMember(ctx, team.id, ann.id))).toEqual({ removed: true });
    expect(unwrap(await dir.removeMember(ctx, team.id, sub.id))).toEqual({ removed: true });
    expect(await allMembers(team.id)).toEqual([]);
    const before = await snapshot();
    expect(failed(await dir.removeMember(ctx, team.id, ann.id))).toMatchObject({
      code: 'directory.member_not_found',
      details: { groupId: team.id, memberId: ann.id },
    });
    expect(await snapshot()).toEqual(before);

    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', team.id)
      .where('action', '=', 'membership.remove')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.changes)).toEqual([
      [{ attribute: 'members', before: u(ann), after: null }],
      [{ attribute: 'members', before: g(sub), after: null }],
    ]);
    const events = await database.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('aggregate_id', '=', team.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual([
      'group.created',
      'membership.added',
      'membership.added',
      'membership.removed',
      'membership.removed',
    ]);
    expect(events[3]?.payload).toEqual({ groupId: team.id, memberType: 'user', memberId: ann.id });
    expect(events[4]?.payload).toEqual({ groupId: team.id, memberType: 'group', memberId: sub.id });
  });

  it('pages members by keyset without duplicates or gaps, direct and transitive', async () => {
    const big = await group('Big');
    const nested = await group('Nested');
    const direct: string[] = [];
    for (let i = 0; i < 12; i++) direct.push((await user()).id);
    const deep: string[] = [];
    for (let i = 0; i < 9; i++) deep.push((await user()).id);
    unwrap(
      await dir.addMembers(ctx, big.id, [...direct.map((id) => ({ type: 'user' as const, id })), g(nested)]),
    );
    unwrap(
      await dir.addMembers(
        ctx,
        nested.id,
        deep.map((id) => ({ type: 'user' as const, id })),
      ),
    );

    const walk = async (transitive: boolean) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page<Member> = unwrap(
          await dir.listMembers(big.id, { transitive, limit: 5, ...(cursor ? { cursor } : {}) }),
        );
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((m) => m.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      return { seen, pages };
    };
    const directWalk = await walk(false);
    expect(directWalk.pages).toBe(3);
    expect(directWalk.seen).toEqual([...direct, nested.id].sort());
    const transitiveWalk = await walk(true);
    expect(transitiveWalk.pages).toBe(5);
    expect(transitiveWalk.seen).toEqual([...direct, nested.id, ...deep].sort());
    expect(failed(await dir.listMembers(big.id, { limit: 5, cursor: 'garbage' })).code).toBe(
      'request.invalid',
    );
  });
});

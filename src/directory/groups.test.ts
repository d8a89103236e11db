import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { failed } from '../../test/results.ts';
import { DAY_MS, type FakeClock, fakeClock, newId, type RequestContext, unwrap } from '../core/index.ts';
import type { Database, Tables } from '../db/index.ts';
import { createDirectory, type Directory, type Group, type Page } from './index.ts';
import { rowCount } from './test-support.ts';

const ctx: RequestContext = {
  actor: { type: 'user', id: 'admin-2', name: 'Grace Admin' },
  correlationId: 'corr-groups',
};

let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}-${newId().slice(-8)}`;

describe('groups', () => {
  let database: Database;
  let clock: FakeClock;
  let dir: Directory;

  beforeAll(async () => {
    database = await openTestDatabase();
    clock = fakeClock('2026-06-01T10:00:00Z');
    dir = createDirectory({ db: database.db, clock, retentionDays: 30 });
  });
  afterAll(async () => {
    await database.close();
  });

  const audit = (targetId: string) =>
    database.db.selectFrom('audit_log').selectAll().where('target_id', '=', targetId).orderBy('id').execute();
  const events = (aggregateId: string) =>
    database.db
      .selectFrom('events')
      .selectAll()
      .where('aggregate_id', '=', aggregateId)
      .orderBy('id')
      .execute();
  const snapshot = async () => {
    const n = (table: keyof Tables) => rowCount(database, table);
    return {
      groups: await n('groups'),
      owners: await n('group_owners'),
      audit: await n('audit_log'),
      events: await n('events'),
    };
  };
  const user = async () => unwrap(await dir.createUser(ctx, { userName: `${unique('owner')}@example.com` }));

  it('creates a group with owners, audits each part and emits group.created', async () => {
    const alice = await user();
    const bob = await user();
    const externalId = unique('ext');
    const group = unwrap(
      await dir.createGroup(ctx, {
        displayName: 'Finance Team',
        description: 'Money people',
        externalId,
        ownerIds: [alice.id, bob.id, alice.id],
      }),
    );
    expect(group).toMatchObject({
      displayName: 'Finance Team',
      description: 'Money people',
      externalId,
      version: 1,
      deletedAt: null,
      createdAt: '2026-06-01T10:00:00.000Z',
    });
    expect(unwrap(await dir.getGroup(group.id))).toEqual(group);
    const owners = unwrap(await dir.listOwners(group.id));
    expect(owners.map((o) => o.id).sort()).toEqual([alice.id, bob.id].sort());
    expect(owners.find((o) => o.id === alice.id)?.userName).toBe(alice.userName);

    const rows = await audit(group.id);
    expect(rows.map((r) => r.action)).toEqual(['group.create', 'group.owner.add', 'group.owner.add']);
    expect(rows[0]?.changes).toEqual([
      { attribute: 'displayName', before: null, after: 'Finance Team' },
      { attribute: 'description', before: null, after: 'Money people' },
      { attribute: 'externalId', before: null, after: externalId },
    ]);
    expect(rows.slice(1).map((r) => r.changes)).toEqual([
      [{ attribute: 'owners', before: null, after: alice.id }],
      [{ attribute: 'owners', before: null, after: bob.id }],
    ]);
    expect(rows.every((r) => r.actor_id === 'admin-2' && r.correlation_id === 'corr-groups')).toBe(true);
    expect((await events(group.id)).map((e) => [e.type, e.payload])).toEqual([
      ['group.created', { displayName: 'Finance Team' }],
    ]);
  });

  it('rejects an unknown or deleted owner and writes nothing', async () => {
    const departed = await user();
    unwrap(await dir.deleteUser(ctx, departed.id));
    const before = await snapshot();
    const ghost = newId();
    const result = failed(
      await dir.createGroup(ctx, { displayName: 'Orphans', ownerIds: [ghost, departed.id] }),
    );
    expect(result.code).toBe('directory.user_not_found');
    expect(result.details).toEqual({ ownerIds: [ghost, departed.id] });
    expect(await snapshot()).toEqual(before);
  });

  it('keeps externalId unique across groups, deleted ones included, and names the attribute', async () => {
    const externalId = unique('grp');
    const first = unwrap(await dir.createGroup(ctx, { displayName: 'First', externalId }));
    const clash = failed(await dir.createGroup(ctx, { displayName: 'Second', externalId }));
    expect(clash.code).toBe('directory.uniqueness');
    expect(clash.details).toEqual({ attribute: 'externalId', value: externalId });
    const other = unwrap(await dir.createGroup(ctx, { displayName: 'Other' }));
    const update = failed(await dir.updateGroup(ctx, other.id, { externalId }));
    expect(update.details).toMatchObject({ attribute: 'externalId' });
    unwrap(await dir.deleteGroup(ctx, first.id));
    expect(failed(await dir.createGroup(ctx, { displayName: 'Third', externalId })).code).toBe(
      'directory.uniqueness',
    );
    // A user may share a group's externalId: the namespaces are separate.
    expect((await dir.createUser(ctx, { userName: `${unique('u')}@example.com`, externalId })).ok).toBe(true);
  });

  it('updates with a version bump, before/after audit and group.updated naming the changed attributes', async () => {
    const group = unwrap(await dir.createGroup(ctx, { displayName: 'Ops', description: 'Operations' }));
    clock.advance(5_000);
    const updated = unwrap(
      await dir.updateGroup(ctx, group.id, { displayName: 'Operations', description: null }),
    );
    expect(updated).toMatchObject({
      displayName: 'Operations',
      description: null,
      version: 2,
      updatedAt: clock.now().toISOString(),
    });
    const rows = await audit(group.id);
    expect(rows[1]).toMatchObject({
      action: 'group.update',
      changes: [
        { attribute: 'displayName', before: 'Ops', after: 'Operations' },
        { attribute: 'description', before: 'Operations', after: null },
      ],
    });
    expect((await events(group.id)).map((e) => [e.type, e.payload])).toEqual([
      ['group.created', { displayName: 'Ops' }],
      ['group.updated', { changed: ['displayName', 'description'] }],
    ]);

    const before = await snapshot();
    expect(unwrap(await dir.updateGroup(ctx, group.id, { displayName: 'Operations' })).version).toBe(2);
    const stale = failed(await dir.updateGroup(ctx, group.id, { displayName: 'Stale' }, { ifVersion: 1 }));
    expect(stale).toMatchObject({ code: 'directory.version_mismatch', details: { currentVersion: 2 } });
    expect(await snapshot()).toEqual(before);
  });

  it('soft-deletes and restores within the retention period, refusing after it', async () => {
    const group = unwrap(await dir.createGroup(ctx, { displayName: unique('Temp') }));
    const deleted = unwrap(await dir.deleteGroup(ctx, group.id));
    expect(deleted).toMatchObject({ version: 2, deletedAt: clock.now().toISOString() });
    expect(failed(await dir.getGroup(group.id)).code).toBe('directory.group_not_found');
    expect(unwrap(await dir.getGroup(group.id, { includeDeleted: true })).deletedAt).toBe(deleted.deletedAt);
    expect(failed(await dir.deleteGroup(ctx, group.id)).code).toBe('directory.group_not_found');
    expect(failed(await dir.updateGroup(ctx, group.id, { displayName: 'x' })).code).toBe(
      'directory.group_not_found',
    );
    expect(unwrap(await dir.listGroups({ displayName: group.displayName, limit: 5 })).items).toEqual([]);
    expect(
      unwrap(await dir.listGroups({ displayName: group.displayName, deleted: true, limit: 5 })).items.map(
        (g) => g.id,
      ),
    ).toEqual([group.id]);

    clock.advance(30 * DAY_MS);
    const restored = unwrap(await dir.restoreGroup(ctx, group.id));
    expect(restored).toMatchObject({ deletedAt: null, version: 3 });
    expect(failed(await dir.restoreGroup(ctx, group.id)).code).toBe('directory.not_deleted');
    const rows = await audit(group.id);
    expect(rows.map((r) => [r.action, r.changes])).toEqual([
      ['group.create', expect.any(Array)],
      ['group.delete', [{ attribute: 'deletedAt', before: null, after: deleted.deletedAt }]],
      ['group.restore', [{ attribute: 'deletedAt', before: deleted.deletedAt, after: null }]],
    ]);
    expect((await events(group.id)).map((e) => e.type)).toEqual([
      'group.created',
      'group.deleted',
      'group.restored',
    ]);

    unwrap(await dir.deleteGroup(ctx, group.id));
    clock.advance(30 * DAY_MS + 1);
    const before = await snapshot();
    expect(failed(await dir.restoreGroup(ctx, group.id)).code).toBe('directory.restore_window_passed');
    expect(await snapshot()).toEqual(before);
  });

  it('lists groups by case-insensitive displayName and pages without duplicates or gaps', async () => {
    const name = unique('Pager');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(unwrap(await dir.createGroup(ctx, { displayName: i % 2 ? name : name.toUpperCase() })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<Group> = unwrap(
        await dir.listGroups({ displayName: name.toLowerCase(), limit: 2, ...(cursor ? { cursor } : {}) }),
      );
      seen.push(...page.items.map((g) => g.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].sort());
    expect(failed(await dir.listGroups({ limit: 2, cursor: 'nope' })).code).toBe('request.invalid');
  });

  it('adds and removes owners idempotently, auditing only real changes', async () => {
    const group = unwrap(await dir.createGroup(ctx, { displayName: unique('Owned') }));
    const carol = await user();
    expect(unwrap(await dir.addOwner(ctx, group.id, carol.id))).toEqual({ added: true });
    const before = await snapshot();
    expect(unwrap(await dir.addOwner(ctx, group.id, carol.id))).toEqual({ added: false });
    expect(await snapshot()).toEqual(before);
    expect(unwrap(await dir.removeOwner(ctx, group.id, carol.id))).toEqual({ removed: true });
    expect(failed(await dir.removeOwner(ctx, group.id, carol.id)).code).toBe('directory.member_not_found');
    expect(unwrap(await dir.listOwners(group.id))).toEqual([]);
    const rows = await audit(group.id);
    expect(rows.map((r) => [r.action, r.changes])).toEqual([
      ['group.create', expect.any(Array)],
      ['group.owner.add', [{ attribute: 'owners', before: null, after: carol.id }]],
      ['group.owner.remove', [{ attribute: 'owners', before: carol.id, after: null }]],
    ]);
    expect((await events(group.id)).map((e) => [e.type, e.payload])).toEqual([
      ['group.created', { displayName: group.displayName }],
      ['group.updated', { changed: ['owners'] }],
      ['group.updated', { changed: ['owners'] }],
    ]);

    const gone = await user();
    unwrap(await dir.addOwner(ctx, group.id, gone.id));
    unwrap(await dir.deleteUser(ctx, gone.id));
    expect(unwrap(await dir.listOwners(group.id))).toEqual([]);
    expect(failed(await dir.addOwner(ctx, group.id, gone.id)).code).toBe('directory.user_not_found');
    expect(failed(await dir.addOwner(ctx, group.id, newId())).code).toBe('directory.user_not_found');
    expect(failed(await dir.addOwner(ctx, newId(), carol.id)).code).toBe('directory.group_not_found');
  });

  it('answers malformed ids with not-found failures instead of database errors', async () => {
    const group = unwrap(await dir.createGroup(ctx, { displayName: unique('Ids') }));
    expect(failed(await dir.getGroup('x')).code).toBe('directory.group_not_found');
    expect(failed(await dir.updateGroup(ctx, 'x', { displayName: 'y' })).code).toBe(
      'directory.group_not_found',
    );
    expect(failed(await dir.deleteGroup(ctx, 'x')).code).toBe('directory.group_not_found');
    expect(failed(await dir.listOwners('x')).code).toBe('directory.group_not_found');
    expect(failed(await dir.listMembers('x', { limit: 5 })).code).toBe('directory.group_not_found');
    expect(failed(await dir.addOwner(ctx, group.id, 'x')).code).toBe('directory.user_not_found');
    expect(failed(await dir.removeOwner(ctx, group.id, 'x')).code).toBe('directory.member_not_found');
    expect(failed(await dir.removeMember(ctx, group.id, 'x')).code).toBe('directory.member_not_found');
    expect(failed(await dir.addMembers(ctx, group.id, [{ type: 'user', id: 'x' }])).code).toBe(
      'directory.member_not_found',
    );
    expect(await dir.memberOf('x')).toEqual([]);
  });
});

describe('group purge', () => {
  it('hard-deletes groups past retention with their memberships in both directions', async () => {
    const database = await openTestDatabase();
    try {
      const clock = fakeClock('2026-07-01T00:00:00Z');
      const dir = createDirectory({ db: database.db, clock, retentionDays: 7 });
      const member = unwrap(await dir.createUser(ctx, { userName: 'member@example.com' }));
      const parent = unwrap(await dir.createGroup(ctx, { displayName: 'Parent' }));
      const doomed = unwrap(await dir.createGroup(ctx, { displayName: 'Doomed', ownerIds: [member.id] }));
      const child = unwrap(await dir.createGroup(ctx, { displayName: 'Child' }));
      unwrap(await dir.addMembers(ctx, parent.id, [{ type: 'group', id: doomed.id }]));
      unwrap(
        await dir.addMembers(ctx, doomed.id, [
          { type: 'group', id: child.id },
          { type: 'user', id: member.id },
        ]),
      );
      unwrap(await dir.deleteGroup(ctx, doomed.id));
      clock.advance(7 * DAY_MS + 1);
      expect(await dir.purgeDeleted(ctx)).toEqual({ users: 0, groups: 1 });
      expect(failed(await dir.getGroup(doomed.id, { includeDeleted: true })).code).toBe(
        'directory.group_not_found',
      );
      const rows = await database.db
        .selectFrom('group_members')
        .selectAll()
        .where((eb) => eb.or([eb('group_id', '=', doomed.id), eb('member_group_id', '=', doomed.id)]))
        .execute();
      expect(rows).toEqual([]);
      const owners = await database.db
        .selectFrom('group_owners')
        .selectAll()
        .where('group_id', '=', doomed.id)
        .execute();
      expect(owners).toEqual([]);
      expect(unwrap(await dir.getGroup(child.id)).id).toBe(child.id);
      const purge = await database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('target_id', '=', doomed.id)
        .where('action', '=', 'group.purge')
        .execute();
      expect(purge).toHaveLength(1);
      expect(purge[0]?.details).toMatchObject({ retentionDays: 7 });
      const purgedEvents = await database.db
        .selectFrom('events')
        .select('type')
        .where('aggregate_id', '=', doomed.id)
        .orderBy('id')
        .execute();
      expect(purgedEvents.map((e) => e.type)).toEqual([
        'group.created',
        'membership.added',
        'membership.added',
        'group.deleted',
        'group.purged',
      ]);
    } finally {
      await database.close();
    }
  });
});

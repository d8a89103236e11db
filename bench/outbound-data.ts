// Data of the outbound benchmark: N users, G groups and M memberships, deterministic (seeded) so runs
// compare; loaded into a Joinery store through the directory module, and the same objects as SCIM
// payloads for the raw ceiling.
import { systemClock, systemContext } from '../src/core/index.ts';
import type { Database } from '../src/db/index.ts';
import { createDirectory, type UserCreateInput } from '../src/directory/index.ts';
import { chunks, seededRandom, yieldToEventLoop } from './support.ts';

const givenNames = [
  'Camille',
  'Louis',
  'Emma',
  'Hugo',
  'Lea',
  'Jules',
  'Chloe',
  'Gabriel',
  'Manon',
  'Arthur',
];
const familyNames = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand'];
const departments = ['Finance', 'Engineering', 'Sales', 'Marketing', 'Human Resources', 'Operations'];
const titles = ['Analyst', 'Engineer', 'Senior Engineer', 'Account Executive', 'Manager', 'Consultant'];

const pad = (n: number) => String(n).padStart(7, '0');

export interface BenchData {
  users: UserCreateInput[];
  groups: { displayName: string; externalId: string; members: number[] }[];
  memberships: number;
}

/** `users` people and `groups` groups holding `memberships` (user, group) pairs, spread round-robin. */
export function makeData(users: number, groups: number, memberships: number): BenchData {
  if (groups > 0 && memberships > users * groups)
    throw new Error(`${memberships} memberships do not fit ${groups} groups of at most ${users} users`);
  if (groups === 0 && memberships > 0) throw new Error('memberships need at least one group');
  const random = seededRandom(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const people: UserCreateInput[] = [];
  for (let i = 0; i < users; i++) {
    const givenName = pick(givenNames);
    const familyName = pick(familyNames);
    const userName = `${givenName}.${familyName}.${i}@acme.example`.toLowerCase();
    people.push({
      userName,
      externalId: `HR-${pad(i)}`,
      employeeId: `E${pad(i)}`,
      givenName,
      familyName,
      displayName: `${givenName} ${familyName}`,
      emails: [{ value: userName, type: 'work', primary: true }],
      department: pick(departments),
      title: pick(titles),
    });
  }
  const sets = Array.from({ length: groups }, () => new Set<number>());
  for (let k = 0; k < memberships; k++) {
    const set = sets[k % groups] as Set<number>;
    let user = Math.floor(random() * users);
    while (set.has(user)) user = (user + 1) % users;
    set.add(user);
  }
  return {
    users: people,
    groups: sets.map((set, g) => ({
      displayName: `Bench group ${String(g).padStart(5, '0')}`,
      externalId: `GRP-${pad(g)}`,
      members: [...set],
    })),
    memberships,
  };
}

/** Writes the data through the directory module (audit and events included); the Joinery user ids by index. */
export async function loadDirectory(database: Database, data: BenchData): Promise<{ userIds: string[] }> {
  const directory = createDirectory({ db: database.db, clock: systemClock, retentionDays: 30 });
  const ctx = systemContext('bench-outbound-load');
  const userIds: string[] = [];
  for (const batch of chunks(data.users, 1000)) {
    await yieldToEventLoop();
    const result = await directory.upsertUsers(ctx, batch, { matchOn: 'externalId' });
    if (!result.ok) throw new Error(`upsertUsers failed: ${result.error.code} ${result.error.message}`);
    for (const outcome of result.value) {
      if (outcome.kind !== 'created')
        throw new Error(
          `upsertUsers: ${outcome.kind}${outcome.kind === 'failed' ? ` (${outcome.error.message})` : ''}, expected created`,
        );
      userIds.push(outcome.user.id);
    }
  }
  for (const group of data.groups) {
    await yieldToEventLoop();
    const members = group.members.map((i) => ({ type: 'user' as const, id: userIds[i] as string }));
    const created = await directory.createGroupWithMembers(
      ctx,
      { displayName: group.displayName, externalId: group.externalId },
      members,
    );
    if (!created.ok)
      throw new Error(
        `createGroupWithMembers ${group.displayName}: ${created.error.code} ${created.error.message}`,
      );
  }
  return { userIds };
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The SCIM user a provisioning engine would POST for this directory user. */
export function scimUser(user: UserCreateInput): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: user.userName,
      externalId: user.externalId,
      active: true,
      displayName: user.displayName,
      name: { givenName: user.givenName, familyName: user.familyName },
      emails: user.emails,
      title: user.title,
      [ENTERPRISE]: { employeeNumber: user.employeeId, department: user.department },
    }),
  );
}

export function scimGroup(group: BenchData['groups'][number], memberIds: readonly string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: group.displayName,
      externalId: group.externalId,
      members: group.members.map((i) => ({ value: memberIds[i] })),
    }),
  );
}

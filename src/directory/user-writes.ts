import { sql } from 'kysely';
import { type AuditEntry, diffAttributes, recordAudit } from '../audit/index.ts';
import { type Clock, correlationFor, type Failure, failure, type RequestContext } from '../core/index.ts';
import type { AuditChange, Tx } from '../db/index.ts';
import { emitEvents, type NewEvent } from '../events/index.ts';
import { type User, userAttributeColumns, userAttributeNames } from './user-attributes.ts';

/** One user's transition. `before` null means create. */
export interface UserChange {
  before: User | null;
  after: User;
}

const recordColumns = [
  ['id', 'uuid'],
  ...userAttributeColumns.map(([, column, type]) => [column, type] as const),
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['version', 'integer'],
  ['deleted_at', 'timestamptz'],
] as const;

const columnList = sql.raw(recordColumns.map(([c]) => c).join(', '));
const recordType = sql.raw(recordColumns.map(([c, t]) => `${c} ${t}`).join(', '));
const assignments = sql.raw(
  recordColumns
    .filter(([c]) => c !== 'id' && c !== 'created_at')
    .map(([c]) => `${c} = v.${c}`)
    .join(', '),
);

function toRecord(user: User): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id: user.id,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    version: user.version,
    deleted_at: user.deletedAt,
  };
  for (const [name, column] of userAttributeColumns) record[column] = user[name];
  return record;
}

/**
 * Writes many users with two statements whatever the batch size: every row travels in one JSON
 * parameter expanded by jsonb_to_recordset, which avoids PostgreSQL's 65535-parameter limit and the
 * per-row round trips that would dominate bulk HR loads.
 */
export async function writeUsers(
  tx: Tx,
  clock: Clock,
  ctx: RequestContext,
  changes: UserChange[],
): Promise<Map<string, AuditChange[]>> {
  const inserts = changes.filter((c) => c.before === null).map((c) => toRecord(c.after));
  const updates = changes.filter((c) => c.before !== null).map((c) => toRecord(c.after));
  // Creates first: an update in the same batch may point its manager at a user created here.
  if (inserts.length > 0) {
    await sql`insert into users (${columnList})
      select ${columnList} from jsonb_to_recordset(${JSON.stringify(inserts)}::jsonb) as v(${recordType})`.execute(
      tx,
    );
  }
  if (updates.length > 0) {
    await sql`update users u set ${assignments}
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(${recordType})
      where u.id = v.id`.execute(tx);
  }
  const audit: AuditEntry[] = [];
  const events: NewEvent[] = [];
  const byUser = new Map<string, AuditChange[]>();
  for (const { before, after } of changes) {
    const correlationId = correlationFor(ctx, after.id);
    const changed = diffAttributes(
      before as unknown as Record<string, unknown> | null,
      after as unknown as Record<string, unknown>,
      userAttributeNames,
    );
    byUser.set(after.id, changed);
    if (before === null) {
      // A new user's empty lists and extension bag are defaults, not changes worth recording.
      const set = changed.filter((c) => !isEmptyValue(c.after));
      audit.push({
        action: 'user.create',
        targetType: 'user',
        targetId: after.id,
        changes: set,
        correlationId,
      });
      events.push({
        correlationId,
        type: 'user.created',
        aggregateType: 'user',
        aggregateId: after.id,
        payload: {
          userName: after.userName,
          externalId: after.externalId,
          accountEnabled: after.accountEnabled,
        },
      });
      continue;
    }
    audit.push({
      action: 'user.update',
      targetType: 'user',
      targetId: after.id,
      changes: changed,
      correlationId,
    });
    const names = changed.map((c) => c.attribute).filter((n) => n !== 'accountEnabled');
    if (names.length > 0) {
      events.push({
        correlationId,
        type: 'user.updated',
        aggregateType: 'user',
        aggregateId: after.id,
        payload: { changed: names },
      });
    }
    if (before.accountEnabled !== after.accountEnabled) {
      events.push({
        correlationId,
        type: after.accountEnabled ? 'user.enabled' : 'user.disabled',
        aggregateType: 'user',
        aggregateId: after.id,
        payload: {},
      });
    }
  }
  await recordAudit(tx, clock, ctx, audit);
  await emitEvents(tx, clock, ctx, events);
  return byUser;
}

function isEmptyValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

const uniqueAttributes = [
  ['userName', 'user_name'],
  ['externalId', 'external_id'],
  ['employeeId', 'employee_id'],
] as const;

function keyOf(attribute: (typeof uniqueAttributes)[number][0], value: string): string {
  return attribute === 'userName' ? `userName:${value.toLowerCase()}` : `${attribute}:${value}`;
}

function conflict(
  attribute: string,
  value: string,
  holder: { id: string; deletedAt: string | null },
): Failure {
  const where = holder.deletedAt ? ` (a deleted user, restorable: ${holder.id})` : ` (user ${holder.id})`;
  return failure('directory.uniqueness', `${attribute} "${value}" is already used by another user${where}`, {
    attribute,
    value,
    conflictingId: holder.id,
  });
}

/**
 * Checks userName (case-insensitive), externalId and employeeId against the store and within the batch,
 * before writing, so a batch can report each conflicting item instead of failing as a whole. The unique
 * indexes remain the final guard against a concurrent writer.
 */
export async function findUniquenessConflicts(tx: Tx, candidates: User[]): Promise<Map<string, Failure>> {
  const out = new Map<string, Failure>();
  if (candidates.length === 0) return out;
  const userNames = candidates.map((u) => u.userName.toLowerCase());
  const externalIds = candidates.flatMap((u) => (u.externalId ? [u.externalId] : []));
  const employeeIds = candidates.flatMap((u) => (u.employeeId ? [u.employeeId] : []));
  // One index lookup per attribute, united: an OR of the three made PostgreSQL scan the whole table
  // (76 ms per 1000-user batch at 100k users, against 12–18 ms this way; docs/benchmarks.md).
  const columns = ['id', 'user_name', 'external_id', 'employee_id', 'deleted_at'] as const;
  let query = tx
    .selectFrom('users')
    .select(columns)
    .where((eb) => eb(eb.fn('lower', ['user_name']), '=', eb.fn.any(eb.val(userNames))));
  if (externalIds.length > 0) {
    query = query.union(
      tx
        .selectFrom('users')
        .select(columns)
        .where('external_id', '=', (eb) => eb.fn.any(eb.val(externalIds))),
    );
  }
  if (employeeIds.length > 0) {
    query = query.union(
      tx
        .selectFrom('users')
        .select(columns)
        .where('employee_id', '=', (eb) => eb.fn.any(eb.val(employeeIds))),
    );
  }
  // The trigram indexes (SCIM `co` searches) also answer lower(user_name) = ..., and the planner may pick
  // them for a large batch; GIN's pending list then makes every value rescan it (3–6 s per 500 values
  // measured during an HR load). GIN is reached only by bitmap scans: turned off for this statement, the
  // look-up takes the unique btree indexes.
  const large = candidates.length > 20;
  if (large) await sql`set local enable_bitmapscan = off`.execute(tx);
  const rows = await query.execute();
  if (large) await sql`set local enable_bitmapscan to default`.execute(tx);
  const holders = new Map<string, { id: string; deletedAt: string | null }>();
  for (const r of rows) {
    const holder = { id: r.id, deletedAt: r.deleted_at ? new Date(r.deleted_at).toISOString() : null };
    holders.set(keyOf('userName', r.user_name), holder);
    if (r.external_id) holders.set(keyOf('externalId', r.external_id), holder);
    if (r.employee_id) holders.set(keyOf('employeeId', r.employee_id), holder);
  }
  // Candidates claim their own values in order; the first in a batch wins a duplicated value.
  for (const user of candidates) {
    for (const [attribute] of uniqueAttributes) {
      const value = user[attribute];
      if (!value) continue;
      const holder = holders.get(keyOf(attribute, value));
      if (holder && holder.id !== user.id) {
        if (!out.has(user.id)) out.set(user.id, conflict(attribute, value, holder));
      }
    }
    if (!out.has(user.id)) {
      for (const [attribute] of uniqueAttributes) {
        const value = user[attribute];
        if (value) holders.set(keyOf(attribute, value), { id: user.id, deletedAt: null });
      }
    }
  }
  return out;
}

const constraintAttribute: Record<string, string> = {
  users_user_name_key: 'userName',
  users_external_id_key: 'externalId',
  users_employee_id_key: 'employeeId',
  groups_external_id_key: 'externalId',
};

/** Maps a unique-violation raised by a concurrent writer to the same failure the pre-check gives. */
export function uniqueViolation(error: unknown): Failure | null {
  const e = error as { code?: string; constraint?: string };
  if (e?.code !== '23505') return null;
  const attribute = (e.constraint && constraintAttribute[e.constraint]) ?? 'a unique attribute';
  return failure('directory.uniqueness', `${attribute} is already used by another object`, { attribute });
}

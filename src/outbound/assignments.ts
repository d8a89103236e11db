import { recordAudit } from '../audit/index.ts';
import { err, failure, ok, type RequestContext, type Result } from '../core/index.ts';
import { type AssignmentInput, assignmentSchema } from './app-schema.ts';
import { appNotFound, getApp } from './apps.ts';
import { enqueue, kickExport } from './enqueue.ts';
import { usersUnderGroups } from './scope.ts';
import type { OutboundDeps } from './types.ts';

export interface Assignment {
  appId: string;
  principalType: 'user' | 'group';
  principalId: string;
  appRole: string | null;
  createdAt: string;
}

const toAssignment = (r: {
  app_id: string;
  principal_type: 'user' | 'group';
  principal_id: string;
  app_role: string | null;
  created_at: Date | string;
}): Assignment => ({
  appId: r.app_id,
  principalType: r.principal_type,
  principalId: r.principal_id,
  appRole: r.app_role,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Queues whoever an assignment change can move in or out of scope: the user, or the group and everyone under it. */
async function requeue(deps: OutboundDeps, appId: string, type: 'user' | 'group', id: string): Promise<void> {
  const now = deps.clock.now();
  if (type === 'user') await enqueue(deps.db, appId, 'user', [id], now);
  else {
    await enqueue(deps.db, appId, 'user', await usersUnderGroups(deps.db, [id]), now);
    await enqueue(deps.db, appId, 'group', [id], now);
  }
  await kickExport(deps, appId);
}

export async function listAssignments(deps: OutboundDeps, appId: string): Promise<Result<Assignment[]>> {
  const app = await getApp(deps, appId);
  if (!app.ok) return app;
  const rows = await deps.db
    .selectFrom('outbound_assignments')
    .selectAll()
    .where('app_id', '=', appId)
    .orderBy('created_at')
    .execute();
  return ok(rows.map(toAssignment));
}

/** Assigns a user or a group (optionally with an app role); assigning again changes the role. */
export async function assign(
  deps: OutboundDeps,
  ctx: RequestContext,
  appId: string,
  raw: unknown,
): Promise<Result<Assignment>> {
  const parsed = assignmentSchema.safeParse(raw);
  if (!parsed.success)
    return err(
      failure(
        'outbound.invalid_app',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      ),
    );
  const input: AssignmentInput = parsed.data;
  const app = await getApp(deps, appId);
  if (!app.ok) return err(appNotFound(appId));
  const table = input.principalType === 'user' ? 'users' : 'groups';
  const exists = await deps.db
    .selectFrom(table)
    .select('id')
    .where('id', '=', input.principalId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!exists)
    return err(
      failure(
        'outbound.principal_not_found',
        `${input.principalType} "${input.principalId}" does not exist`,
        {
          principalId: input.principalId,
        },
      ),
    );
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('outbound_assignments')
      .selectAll()
      .where('app_id', '=', appId)
      .where('principal_id', '=', input.principalId)
      .executeTakeFirst();
    const saved = await tx
      .insertInto('outbound_assignments')
      .values({
        app_id: appId,
        principal_type: input.principalType,
        principal_id: input.principalId,
        app_role: input.appRole ?? null,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['app_id', 'principal_id']).doUpdateSet({ app_role: input.appRole ?? null }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'outbound.assignment.add',
        targetType: 'outbound_app',
        targetId: appId,
        changes: [
          {
            attribute: 'assignment',
            before: before ? toAssignment(before) : null,
            after: toAssignment(saved),
          },
        ],
      },
    ]);
    return saved;
  });
  await requeue(deps, appId, input.principalType, input.principalId);
  return ok(toAssignment(row));
}

export async function unassign(
  deps: OutboundDeps,
  ctx: RequestContext,
  appId: string,
  principalId: string,
): Promise<Result<null>> {
  const row = await deps.db.transaction().execute(async (tx) => {
    const removed = await tx
      .deleteFrom('outbound_assignments')
      .where('app_id', '=', appId)
      .where('principal_id', '=', principalId)
      .returningAll()
      .executeTakeFirst();
    if (removed)
      await recordAudit(tx, deps.clock, ctx, [
        {
          action: 'outbound.assignment.remove',
          targetType: 'outbound_app',
          targetId: appId,
          changes: [{ attribute: 'assignment', before: toAssignment(removed), after: null }],
        },
      ]);
    return removed;
  });
  if (!row)
    return err(
      failure('outbound.assignment_not_found', `"${principalId}" is not assigned to application "${appId}"`, {
        principalId,
      }),
    );
  await requeue(deps, appId, row.principal_type, principalId);
  return ok(null);
}

import { err, failure, isUuid, ok, type Result } from '../core/index.ts';
import { loadBatchContext } from './batch.ts';
import { enqueueDependents, insertLog, logRows, writeLinks } from './commit.ts';
import { decide } from './decide.ts';
import type { ObjectType } from './enqueue.ts';
import { execute, type Outcome } from './execute.ts';
import type { AppLoader, ConnectorPool } from './exporter.ts';
import type { OutboundDeps, Step } from './types.ts';

export interface OnDemandResult {
  objectType: ObjectType;
  objectId: string;
  action: Outcome['action'];
  status: Outcome['status'];
  targetId: string | null;
  steps: Step[];
  modifiedProperties: Outcome['modified'];
  error: Outcome['failure'];
}

/**
 * Provision on demand: one object now, outside the queue, answered with the whole trace (connect, import,
 * scoping, matching, reference resolution, export). Entra's "Provision on demand", minus the wait.
 */
export async function provisionOnDemand(
  deps: OutboundDeps,
  pool: ConnectorPool,
  load: AppLoader,
  appId: string,
  objectType: ObjectType,
  objectId: string,
): Promise<Result<OnDemandResult>> {
  const loaded = await load(appId);
  if (!loaded.ok) return loaded;
  const app = loaded.value;
  if (!isUuid(objectId))
    return err(
      failure('outbound.object_not_found', `${objectType} "${objectId}" does not exist`, { objectId }),
    );
  const exists =
    objectType === 'user'
      ? (await deps.directory.usersByIds([objectId])).has(objectId)
      : (await deps.directory.groupsByIds([objectId])).has(objectId);
  if (!exists)
    return err(
      failure('outbound.object_not_found', `${objectType} "${objectId}" does not exist`, { objectId }),
    );
  const connectStep: Step = { name: 'connect', status: 'success', description: '' };
  const connected = await pool.connect(app, true);
  if (!connected.ok) {
    connectStep.status = 'failure';
    connectStep.description = `could not connect to ${app.connector.type} target: ${connected.failure.message}`;
    return ok({
      objectType,
      objectId,
      action: 'skip',
      status: 'failure',
      targetId: null,
      steps: [connectStep],
      modifiedProperties: [],
      error: connected.failure,
    });
  }
  connectStep.description = `connected to the ${app.connector.type} target (${connected.value.notes.join('; ') || 'no notes'})`;
  const { connector } = await pool.get(app);
  const now = deps.clock.now();
  const ctx = await loadBatchContext(
    deps.db,
    deps.directory,
    app,
    connector,
    [{ type: objectType, id: objectId, force: false }],
    now,
  );
  const decided = await decide(ctx, objectType, objectId, false);
  const outcome = await execute(ctx, decided);
  decided.steps.unshift(connectStep);
  await deps.db.transaction().execute(async (tx) => {
    await writeLinks(tx, app.id, [outcome], now);
    await insertLog(
      tx,
      logRows(app.id, [outcome], () => null, now),
    );
    await enqueueDependents(tx, app, [outcome], new Set([objectId]), now);
  });
  return ok({
    objectType,
    objectId,
    action: outcome.action,
    status: outcome.status,
    targetId: outcome.targetId,
    steps: decided.steps,
    modifiedProperties: outcome.modified,
    error: outcome.failure,
  });
}

import type { ConnectorResult, TargetAttributes } from './connector.ts';
import type { BatchContext, Decided, Failure, Link } from './decide.ts';
import { diffAttributes, modifiedProperties } from './desired.ts';
import type { ExportAction, Step } from './types.ts';

export type LinkChange = { kind: 'keep' } | { kind: 'upsert'; link: Link } | { kind: 'delete' };

export interface Outcome {
  decided: Decided;
  action: ExportAction;
  status: 'success' | 'failure' | 'skipped';
  targetId: string | null;
  link: LinkChange;
  modified: Array<{ displayName: string; oldValue: string | null; newValue: string | null }>;
  failure: Failure | null;
  /** True when the object got a target id it did not have (reports and groups may now resolve it). */
  linkedNow: boolean;
  /** True when the object lost its target object (groups must drop it as a member). */
  unlinkedNow: boolean;
  /** Held back by the deletion threshold: stays pending until an admin approves. */
  held?: boolean;
}

const exportStep = (status: Step['status'], description: string): Step => ({
  name: 'export',
  status,
  description,
});

function failed(decided: Decided, action: ExportAction, failure: Failure, targetId: string | null): Outcome {
  decided.steps.push(exportStep('failure', `${action} failed: ${failure.message}`));
  return {
    decided,
    action,
    status: 'failure',
    targetId,
    link: { kind: 'keep' },
    modified: [],
    failure,
    linkedNow: false,
    unlinkedNow: false,
  };
}

const base = (
  decided: Decided,
  action: ExportAction,
  targetId: string | null,
  link: LinkChange,
): Outcome => ({
  decided,
  action,
  status: 'success',
  targetId,
  link,
  modified: [],
  failure: null,
  linkedNow: false,
  unlinkedNow: false,
});

async function step<T>(
  r: Promise<ConnectorResult<T>>,
): Promise<{ ok: true; value: T } | { ok: false; failure: Failure }> {
  const result = await r;
  return result.ok ? result : { ok: false, failure: result.failure };
}

/**
 * Carries out a decision against the target and says what the link becomes. Used by incremental export,
 * cycles, on-demand provisioning and plan apply alike, so all four behave the same.
 */
export function heldOutcome(decided: Decided, threshold: number): Outcome {
  decided.steps.push(
    exportStep(
      'skipped',
      `held: more than ${threshold} deprovisions within an hour need an admin's approval`,
    ),
  );
  return {
    decided,
    action: 'skip',
    status: 'skipped',
    targetId: null,
    link: { kind: 'keep' },
    modified: [],
    failure: null,
    linkedNow: false,
    unlinkedNow: false,
    held: true,
  };
}

/**
 * A create skipped its look-up and met a conflict: someone put the object there meanwhile. Match it now
 * and carry on as an update of the matched object.
 */
async function matchAfterConflict(
  ctx: BatchContext,
  decided: Decided,
  match: { attribute: string; value: string },
): Promise<Outcome> {
  if (decided.decision.action !== 'create') throw new Error('matchAfterConflict needs a create');
  const { attributes, members } = decided.decision;
  const found = await step(ctx.connector.find(decided.type, match.attribute, match.value));
  if (!found.ok) return failed(decided, 'create', found.failure, null);
  if (!found.value)
    return failed(
      decided,
      'create',
      {
        code: 'conflict',
        message: `the target refused the create as a conflict, but has no ${match.attribute} = ${match.value}`,
        retryable: true,
      },
      null,
    );
  decided.steps.push({
    name: 'matching',
    status: 'warning',
    description: `create met a conflict; matched ${found.value.id}`,
  });
  const want = members ?? [];
  const had = new Set(found.value.members ?? []);
  decided.decision = {
    action: 'update',
    targetId: found.value.id,
    before: found.value.attributes,
    change: diffAttributes(found.value.attributes, attributes),
    desired: attributes,
    addMembers: want.filter((m) => !had.has(m)),
    removeMembers: [],
    matched: true,
    reenable: false,
  };
  return execute(ctx, decided);
}

export async function execute(ctx: BatchContext, decided: Decided): Promise<Outcome> {
  const { type, decision } = decided;
  const redacted = new Set(
    type === 'user' ? ctx.app.userMappings.redactedTargets : ctx.app.groupMappings.redactedTargets,
  );
  const link = ctx.links.get(`${type}:${decided.id}`);
  switch (decision.action) {
    case 'skip':
      decided.steps.push(exportStep('skipped', decision.reason));
      return { ...base(decided, 'skip', link?.targetId ?? null, { kind: 'keep' }), status: 'skipped' };
    case 'fail':
      return failed(decided, 'skip', decision.failure, link?.targetId ?? null);
    case 'unchanged':
      decided.steps.push(exportStep('skipped', 'the target already holds these values'));
      return base(decided, 'unchanged', decision.targetId, { kind: 'keep' });
    case 'create': {
      const r = await step(ctx.connector.create(type, decision.attributes, decision.members));
      if (!r.ok && r.failure.code === 'conflict' && decision.match)
        return matchAfterConflict(ctx, decided, decision.match);
      if (!r.ok) return failed(decided, 'create', r.failure, null);
      decided.steps.push(exportStep('success', `created ${r.value.id}`));
      if (type === 'user') ctx.userTargets.set(decided.id, r.value.id);
      return {
        ...base(decided, 'create', r.value.id, {
          kind: 'upsert',
          link: {
            targetId: r.value.id,
            state: 'active',
            exported: decision.attributes,
            members: decision.members ?? (type === 'group' ? [] : null),
          },
        }),
        modified: modifiedProperties({}, { set: decision.attributes, remove: [] }, redacted),
        linkedNow: true,
      };
    }
    case 'update': {
      let targetId = decision.targetId;
      if (decision.change) {
        const r = await step(ctx.connector.update(type, targetId, decision.change, decision.desired));
        if (!r.ok) return failed(decided, decision.matched ? 'link' : 'update', r.failure, targetId);
        targetId = r.value.id;
      }
      if (decision.addMembers && decision.addMembers.length > 0) {
        const r = await step(ctx.connector.addMembers(targetId, decision.addMembers));
        if (!r.ok) return failed(decided, 'update', r.failure, targetId);
      }
      if (decision.removeMembers && decision.removeMembers.length > 0) {
        const r = await step(ctx.connector.removeMembers(targetId, decision.removeMembers));
        if (!r.ok) return failed(decided, 'update', r.failure, targetId);
      }
      const what = [
        decision.change
          ? `${Object.keys(decision.change.set).length + decision.change.remove.length} attribute(s)`
          : null,
        decision.addMembers?.length ? `+${decision.addMembers.length} member(s)` : null,
        decision.removeMembers?.length ? `-${decision.removeMembers.length} member(s)` : null,
      ].filter(Boolean);
      decided.steps.push(
        exportStep(
          'success',
          `${decision.matched ? 'linked to existing object and updated' : 'updated'} ${targetId}${what.length ? `: ${what.join(', ')}` : ''}`,
        ),
      );
      if (type === 'user') ctx.userTargets.set(decided.id, targetId);
      const members = type === 'group' ? (decided.desiredMembers ?? link?.members ?? []) : null;
      return {
        ...base(decided, decision.matched ? 'link' : 'update', targetId, {
          kind: 'upsert',
          link: { targetId, state: 'active', exported: decision.desired, members },
        }),
        modified: decision.change ? modifiedProperties(decision.before, decision.change, redacted) : [],
        linkedNow: decision.matched || targetId !== decision.targetId,
      };
    }
    case 'disable': {
      const r = await step(ctx.connector.disable('user', decision.targetId));
      if (!r.ok) return failed(decided, 'disable', r.failure, decision.targetId);
      decided.steps.push(exportStep('success', `disabled ${decision.targetId}: ${decision.reason}`));
      const exported: TargetAttributes = { ...(link?.exported ?? {}), active: false };
      return {
        ...base(decided, 'disable', decision.targetId, {
          kind: 'upsert',
          link: { targetId: decision.targetId, state: 'disabled', exported, members: link?.members ?? null },
        }),
        modified: [{ displayName: 'active', oldValue: 'true', newValue: 'false' }],
      };
    }
    case 'delete': {
      const r = await step(ctx.connector.delete(type, decision.targetId));
      if (!r.ok) return failed(decided, 'delete', r.failure, decision.targetId);
      decided.steps.push(exportStep('success', `deleted ${decision.targetId}: ${decision.reason}`));
      ctx.userTargets.delete(decided.id);
      return { ...base(decided, 'delete', decision.targetId, { kind: 'delete' }), unlinkedNow: true };
    }
  }
}

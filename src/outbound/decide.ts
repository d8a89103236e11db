import type { Group, User } from '../directory/index.ts';
import type { CompiledApp } from './compiled-app.ts';
import type { AttributeChange, Connector, ConnectorFailure, TargetAttributes } from './connector.ts';
import { diffAttributes, toTargetValue } from './desired.ts';
import { groupRecord, userRecord } from './directory-record.ts';
import type { ObjectType } from './enqueue.ts';
import type { Step } from './types.ts';

export interface Link {
  targetId: string;
  state: 'active' | 'disabled';
  exported: TargetAttributes;
  members: string[] | null;
}

/** Everything one batch needs, read once: directory objects, scope, links, member lists. */
export interface BatchContext {
  app: CompiledApp;
  connector: Connector;
  now: Date;
  users: Map<string, User>;
  groups: Map<string, Group>;
  scopedUsers: Map<string, { appRole: string | null }>;
  scopedGroups: Set<string>;
  links: Map<string, Link>;
  /** Directory user id → target id, for references and members; grows as the batch creates users. */
  userTargets: Map<string, string>;
  /** Group id → its live direct member users. */
  members: Map<string, string[]>;
  /**
   * Kinds whose target holds exactly the objects Joinery linked (the connector counted them): an
   * unlinked object cannot match anything there, so it is created without a look-up. A create that still
   * meets a conflict (someone added the object meanwhile) falls back to matching.
   */
  skipMatch: ReadonlySet<ObjectType>;
}

export const linkKey = (type: ObjectType, id: string) => `${type}:${id}`;

export interface Failure {
  code: ConnectorFailure['code'] | 'mapping';
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
}

export type Decision =
  | {
      action: 'create';
      attributes: TargetAttributes;
      members?: string[];
      /** The matching look-up, when it was skipped: used if the create meets a conflict. */
      match?: { attribute: string; value: string };
    }
  | {
      action: 'update';
      targetId: string;
      before: TargetAttributes;
      change: AttributeChange | null;
      desired: TargetAttributes;
      addMembers?: string[];
      removeMembers?: string[];
      /** Matched an existing target object that had no link yet. */
      matched: boolean;
      reenable: boolean;
    }
  | { action: 'unchanged'; targetId: string }
  | { action: 'disable'; targetId: string; reason: string }
  | { action: 'delete'; targetId: string; reason: string }
  | { action: 'skip'; reason: string }
  | { action: 'fail'; failure: Failure };

export interface Decided {
  type: ObjectType;
  id: string;
  displayName: string | null;
  version: number | null;
  decision: Decision;
  steps: Step[];
  /** The desired members (target ids) of a group, to store in the link. */
  desiredMembers?: string[];
}

const step = (
  name: Step['name'],
  status: Step['status'],
  description: string,
  details?: Record<string, unknown>,
): Step => ({
  name,
  status,
  description,
  ...(details ? { details } : {}),
});

function deprovision(
  ctx: BatchContext,
  type: ObjectType,
  link: Link | undefined,
  reason: string,
  leftScopeOnly: boolean,
): Decision {
  const def = ctx.app.definition;
  if (!link) return { action: 'skip', reason: `${reason}; nothing to deprovision` };
  if (leftScopeOnly && def.skipOutOfScopeDeletions)
    return { action: 'skip', reason: `${reason}; out-of-scope deletions are skipped for this app` };
  if (def.deprovisionAction === 'none') return { action: 'skip', reason: `${reason}; deprovisioning is off` };
  if (type === 'group' || def.deprovisionAction === 'delete')
    return { action: 'delete', targetId: link.targetId, reason };
  if (link.state === 'disabled') return { action: 'unchanged', targetId: link.targetId };
  return { action: 'disable', targetId: link.targetId, reason };
}

const asMatchValue = (v: unknown): string | null =>
  v === null || v === undefined || v === '' || Array.isArray(v) ? null : String(v);

/** Maps the record; references resolve to target ids or are held back until the referenced user is there. */
async function desiredOf(
  ctx: BatchContext,
  type: ObjectType,
  record: ReturnType<typeof userRecord>,
  isCreate: boolean,
  steps: Step[],
): Promise<{ ok: true; desired: TargetAttributes } | { ok: false; failure: Failure }> {
  const mappings = type === 'user' ? ctx.app.userMappings : ctx.app.groupMappings;
  const mapped = await mappings.apply(record, { isCreate, now: () => ctx.now });
  if (mapped.errors.length > 0) {
    const message = mapped.errors.map((e) => `${e.target}: ${e.message}`).join('; ');
    steps.push(step('processing', 'failure', `a mapping failed: ${message}`));
    return { ok: false, failure: { code: 'mapping', message, retryable: false } };
  }
  const desired: TargetAttributes = {};
  for (const [target, value] of mapped.values) desired[target] = toTargetValue(value);
  if (type === 'user') {
    for (const target of ctx.app.referenceTargets) {
      const managerId = desired[target];
      if (typeof managerId !== 'string') continue;
      const targetId = ctx.userTargets.get(managerId);
      if (targetId) {
        desired[target] = targetId;
        steps.push(step('referenceResolution', 'success', `${target} → ${targetId}`));
      } else {
        delete desired[target];
        steps.push(
          step(
            'referenceResolution',
            'warning',
            `${target}: the manager is not provisioned yet; set once it is`,
            {
              managerId,
            },
          ),
        );
      }
    }
  }
  return { ok: true, desired };
}

/**
 * Decides what one object needs in the target: create, update (a diff), nothing, disable, delete or skip.
 * Reads the target only to match an unlinked object (find) or to check drift (get, when forced).
 */
export async function decide(
  ctx: BatchContext,
  type: ObjectType,
  id: string,
  force: boolean,
): Promise<Decided> {
  const steps: Step[] = [];
  const link = ctx.links.get(linkKey(type, id));
  const user = type === 'user' ? ctx.users.get(id) : undefined;
  const group = type === 'group' ? ctx.groups.get(id) : undefined;
  const object = user ?? group;
  const displayName = user ? (user.displayName ?? user.userName) : (group?.displayName ?? null);
  const out = (decision: Decision, extra: Partial<Decided> = {}): Decided => ({
    type,
    id,
    displayName,
    version: object?.version ?? null,
    decision,
    steps,
    ...extra,
  });

  if (!object || object.deletedAt) {
    steps.push(step('import', 'success', object ? 'deleted in the directory' : 'no longer in the directory'));
    const decision = deprovision(ctx, type, link, 'deleted in the directory', false);
    steps.push(step('scoping', 'skipped', 'out of scope: deleted'));
    return out(decision);
  }
  steps.push(step('import', 'success', `read ${type} ${displayName ?? id} (version ${object.version})`));
  const scoped = user ? ctx.scopedUsers.get(id) : ctx.scopedGroups.has(id) ? { appRole: null } : undefined;
  if (!scoped) {
    const why =
      ctx.app.definition.scope === 'all' ? 'not provisioned by this app' : 'not assigned to the app';
    steps.push(step('scoping', 'skipped', `out of scope: ${why}`));
    return out(deprovision(ctx, type, link, `out of scope (${why})`, true));
  }
  const record = user ? userRecord(user, scoped) : groupRecord(group as Group);
  if (user) {
    const decision = ctx.app.scope(record);
    if (!decision.inScope) {
      steps.push(step('scoping', 'skipped', `out of scope: ${decision.reason}`, { clause: decision.clause }));
      return out(deprovision(ctx, type, link, `out of scope (${decision.reason})`, true));
    }
  }
  steps.push(step('scoping', 'success', 'in scope'));

  const desiredResult = await desiredOf(ctx, type, record, !link, steps);
  if (!desiredResult.ok) return out({ action: 'fail', failure: desiredResult.failure });
  const desired = desiredResult.desired;
  const desiredMembers =
    type === 'group'
      ? (ctx.members.get(id) ?? []).flatMap((m) => {
          const t = ctx.userTargets.get(m);
          return t ? [t] : [];
        })
      : undefined;

  let current: {
    targetId: string;
    attributes: TargetAttributes;
    members: readonly string[] | null;
    matched: boolean;
  } | null = null;
  if (link && !force) {
    current = { targetId: link.targetId, attributes: link.exported, members: link.members, matched: false };
    steps.push(step('matching', 'success', `linked to ${link.targetId}`));
  } else if (link && force) {
    const got = await ctx.connector.get(type, link.targetId);
    if (!got.ok) {
      steps.push(step('matching', 'failure', `reading ${link.targetId} failed: ${got.failure.message}`));
      return out({ action: 'fail', failure: got.failure });
    }
    if (got.value) {
      current = {
        targetId: got.value.id,
        attributes: got.value.attributes,
        members: got.value.members ?? null,
        matched: false,
      };
      steps.push(step('matching', 'success', `linked to ${link.targetId}; read its current state`));
    } else steps.push(step('matching', 'warning', `linked object ${link.targetId} is gone from the target`));
  }
  if (!current) {
    const matching = type === 'user' ? ctx.app.userMatching : ctx.app.groupMatching;
    const value = asMatchValue(record.get(matching.source));
    if (value === null) {
      const message = `the matching attribute ${matching.source} has no value`;
      steps.push(step('matching', 'failure', message));
      return out({ action: 'fail', failure: { code: 'mapping', message, retryable: false } });
    }
    if (ctx.skipMatch.has(type)) {
      steps.push(
        step(
          'matching',
          'success',
          'the target holds only objects Joinery linked: nothing to match, creating',
        ),
      );
      return out(
        {
          action: 'create',
          attributes: desired,
          ...(desiredMembers ? { members: desiredMembers } : {}),
          match: { attribute: matching.target, value },
        },
        { desiredMembers },
      );
    }
    const found = await ctx.connector.find(type, matching.target, value);
    if (!found.ok) {
      steps.push(
        step('matching', 'failure', `finding ${matching.target} = ${value} failed: ${found.failure.message}`),
      );
      return out({ action: 'fail', failure: found.failure });
    }
    if (!found.value) {
      steps.push(
        step('matching', 'success', `no target object has ${matching.target} = ${JSON.stringify(value)}`),
      );
      return out(
        { action: 'create', attributes: desired, ...(desiredMembers ? { members: desiredMembers } : {}) },
        { desiredMembers },
      );
    }
    current = {
      targetId: found.value.id,
      attributes: found.value.attributes,
      members: found.value.members ?? null,
      matched: true,
    };
    steps.push(
      step(
        'matching',
        'success',
        `matched ${found.value.id} on ${matching.target} = ${JSON.stringify(value)}`,
      ),
    );
  }

  const change = diffAttributes(current.attributes, desired);
  const had = new Set(current.members ?? []);
  const want = new Set(desiredMembers ?? []);
  const addMembers = desiredMembers ? [...want].filter((m) => !had.has(m)) : [];
  // Without a stored or returned member list we cannot know who is extra; only additions are safe.
  const removeMembers = desiredMembers && current.members ? [...had].filter((m) => !want.has(m)) : [];
  const reenable = link?.state === 'disabled';
  if (!change && addMembers.length === 0 && removeMembers.length === 0 && !current.matched && !reenable)
    return out({ action: 'unchanged', targetId: current.targetId }, { desiredMembers });
  return out(
    {
      action: 'update',
      targetId: current.targetId,
      before: current.attributes,
      change,
      desired,
      addMembers,
      removeMembers,
      matched: current.matched,
      reenable,
    },
    { desiredMembers },
  );
}

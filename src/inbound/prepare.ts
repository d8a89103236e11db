import type { Tx } from '../db/index.ts';
import type { SyncItem, SyncKey, User } from '../directory/index.ts';
import {
  flatSourceRecord,
  type MappedRecord,
  type SourceRecord,
  scimSourceRecord,
} from '../mapping/index.ts';
import type { CompiledSource } from './compiled-source.ts';
import { uniqueCheckOf } from './source-schema.ts';
import type { InboundDeps, InputRecord, PlanEntry, RecordResult, Step } from './types.ts';
import { asText, leaveDateReached, toDirectoryInput } from './user-input.ts';

/** A record after import, scoping, matching, mapping and manager look-up: ready for the directory write. */
export interface Prepared {
  record: InputRecord;
  steps: Step[];
  started: number;
  /** Set when the record ends before the write (skipped or failed). */
  final: Pick<RecordResult, 'status' | 'error'> | null;
  item: SyncItem | null;
  plan: PlanEntry | null;
  /** Manager key to link once that manager exists (not found during this batch's look-up). */
  pendingManagerKey: string | null;
  /** True when the mapping cleared the manager, so a waiting link must be dropped. */
  clearsManager: boolean;
  displayName: string | null;
}

function fail(
  p: Prepared,
  step: Step['name'],
  code: string,
  message: string,
  details?: Record<string, unknown>,
) {
  p.steps.push({ name: step, status: 'failure', description: message, ...(details ? { details } : {}) });
  p.final = { status: 'failed', error: details ? { code, message, details } : { code, message } };
}

const keyNorm = (attribute: SyncKey, v: string) => (attribute === 'userName' ? v.toLowerCase() : v);

/**
 * Import, scoping, matching (pairs in precedence order, matched users locked), mapping and manager
 * look-up for a batch, inside `tx`. Nothing is written here; `commit` writes.
 */
export async function prepareBatch(
  tx: Tx,
  deps: InboundDeps,
  source: CompiledSource,
  records: readonly InputRecord[],
): Promise<Prepared[]> {
  const now = deps.clock.now();
  const all: Prepared[] = [];
  const live: { p: Prepared; rec: SourceRecord }[] = [];
  for (const record of records) {
    const p: Prepared = {
      record,
      steps: [],
      started: performance.now(),
      final: null,
      item: null,
      plan: null,
      pendingManagerKey: null,
      clearsManager: false,
      displayName: null,
    };
    all.push(p);
    const rec = record.format === 'scim' ? scimSourceRecord(record.data) : flatSourceRecord(record.data);
    p.steps.push({
      name: 'import',
      status: 'success',
      description: `Received ${record.format === 'scim' ? 'SCIM' : 'flat'} record${record.personKey ? ` ${record.personKey}` : ''} with ${rec.names().length} attributes`,
    });
    const decision = source.scope(rec);
    if (!decision.inScope) {
      p.steps.push({ name: 'scoping', status: 'skipped', description: decision.reason });
      p.final = { status: 'skipped', error: null };
      continue;
    }
    p.steps.push({
      name: 'scoping',
      status: 'success',
      description: source.config.scoping.length === 0 ? 'No scoping filter: in scope' : 'In scope',
    });
    live.push({ p, rec });
  }

  // Matching: each pair in precedence order, for the records the earlier pairs did not match.
  const matched = new Map<Prepared, { user: User | null; on: SyncKey; value: string }>();
  let unmatched = live;
  for (const pair of source.config.matching) {
    const withValue = unmatched.flatMap((e) => {
      const v = asText(e.rec.get(pair.source));
      return v === null ? [] : [{ ...e, v }];
    });
    const found = await deps.directory.sync.lockUsersBy(
      tx,
      pair.target,
      withValue.map((e) => e.v),
    );
    const keyOf = new Map(withValue.map((w) => [w.p, w.v]));
    const still: typeof live = [];
    for (const e of unmatched) {
      const v = keyOf.get(e.p);
      const user = v === undefined ? null : (found.get(keyNorm(pair.target, v)) ?? null);
      // The first pair with a value names the key of a new user; a later pair may still find one.
      if (v !== undefined && (user || !matched.has(e.p)))
        matched.set(e.p, { user, on: pair.target, value: v });
      if (!user) still.push(e);
    }
    unmatched = still;
  }
  const claimed = new Map<string, number>();
  const generated = new Set<string>();
  const managerWanted: { p: Prepared; key: string }[] = [];
  for (const { p, rec } of live) {
    const match = matched.get(p);
    if (!match) {
      const names = source.config.matching.map((m) => m.source).join(', ');
      fail(
        p,
        'matching',
        'inbound.no_matching_value',
        `The record has no value for the matching attribute (${names})`,
      );
      continue;
    }
    const before = match.user;
    if (before) {
      const other = claimed.get(before.id);
      if (other !== undefined) {
        fail(
          p,
          'matching',
          'inbound.duplicate_match',
          `Matched the same user as record ${other} of this batch`,
          {
            userId: before.id,
          },
        );
        continue;
      }
      claimed.set(before.id, p.record.n);
      p.steps.push({
        name: 'matching',
        status: 'success',
        description: `Matched user ${before.userName} (${before.id}) on ${match.on} = "${match.value}"${before.deletedAt ? ' (deleted: will be restored)' : ''}`,
        details: { userId: before.id, matchedOn: match.on },
      });
    } else {
      p.steps.push({
        name: 'matching',
        status: 'success',
        description: `No user has ${match.on} = "${match.value}": a new user will be created`,
        details: { matchedOn: match.on },
      });
    }

    const mctx = {
      isCreate: before === null,
      now: () => now,
      isUnique: async (target: string, candidate: string) => {
        const attribute = uniqueCheckOf(target);
        if (!attribute) return true;
        // Values generated earlier in this batch are not written yet: the directory cannot see them.
        if (generated.has(`${attribute}:${candidate.toLowerCase()}`)) return false;
        return deps.directory.sync.isValueFree(tx, attribute, candidate);
      },
    };
    const mapped: MappedRecord = source.mappings.usesDirectory
      ? await source.mappings.apply(rec, mctx)
      : source.mappings.applySync(rec, mctx);
    if (source.mappings.usesDirectory) {
      for (const [target, value] of mapped.values) {
        const attribute = uniqueCheckOf(target);
        if (attribute && typeof value === 'string') generated.add(`${attribute}:${value.toLowerCase()}`);
      }
    }
    if (mapped.errors.length > 0) {
      const message = mapped.errors.map((e) => `${e.target}: ${e.message}`).join('; ');
      fail(p, 'processing', 'inbound.mapping_failed', `Attribute mapping failed: ${message}`, {
        errors: mapped.errors,
      });
      continue;
    }
    const converted = toDirectoryInput(mapped.values, before);
    if (converted.errors.length > 0) {
      const message = converted.errors.map((e) => e.message).join('; ');
      fail(p, 'processing', 'inbound.mapping_failed', `Attribute mapping failed: ${message}`, {
        errors: converted.errors,
      });
      continue;
    }
    const input = converted.input;
    // The record must stay matchable: a new user carries the matching value even if no mapping writes it.
    if (before === null && input[match.on] === undefined) input[match.on] = match.value;
    if (leaveDateReached(input, before, now, deps.defaultTimezone) && input.accountEnabled !== false) {
      input.accountEnabled = false;
      p.steps.push({
        name: 'processing',
        status: 'warning',
        description: 'The leave date has passed: the account is disabled',
      });
    }
    p.displayName =
      (typeof input.displayName === 'string' ? input.displayName : null) ??
      before?.displayName ??
      (typeof input.userName === 'string' ? input.userName : null) ??
      before?.userName ??
      null;
    p.item = { before, input, restore: Boolean(before?.deletedAt) };
    if (converted.managerKey === null) {
      input.managerId = null;
      p.clearsManager = true;
    } else if (typeof converted.managerKey === 'string') {
      if (converted.managerKey === match.value) {
        p.steps.push({
          name: 'referenceResolution',
          status: 'warning',
          description: 'The record names itself as manager: ignored',
        });
      } else {
        managerWanted.push({ p, key: converted.managerKey });
      }
    }
    p.plan = {
      before: before ? { id: before.id, version: before.version } : null,
      input,
      restore: Boolean(before?.deletedAt),
      pendingManagerKey: null,
      matchedOn: before ? null : { attribute: match.on, value: match.value },
      displayName: p.displayName,
    };
  }

  // Managers by their source key, looked up through the first matching pair's directory attribute.
  const managerAttribute = (source.config.matching[0] as { target: SyncKey }).target;
  const managers = await deps.directory.sync.findLiveUsersBy(
    tx,
    managerAttribute,
    managerWanted.map((m) => m.key),
  );
  for (const { p, key } of managerWanted) {
    const manager = managers.get(keyNorm(managerAttribute, key));
    const input = (p.item as SyncItem).input;
    if (manager) {
      input.managerId = manager.id;
      p.steps.push({
        name: 'referenceResolution',
        status: 'success',
        description: `Manager "${key}" resolved to user ${manager.id}`,
        details: { managerKey: key, managerId: manager.id },
      });
    } else {
      p.pendingManagerKey = key;
      if (p.plan) p.plan.pendingManagerKey = key;
      p.steps.push({
        name: 'referenceResolution',
        status: 'warning',
        description: `Manager "${key}" is not in the directory yet: linked as soon as they arrive`,
        details: { managerKey: key },
      });
    }
  }
  return all;
}

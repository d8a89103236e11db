/**
 * Differential test against a third-party SCIM implementation, SCIMMY 1.3.5 (npm `scimmy`): on the same
 * seeded users, every generated filter must select the same users through Joinery's SQL translation as
 * through SCIMMY's in-memory matcher, and every generated PATCH must leave the same resource (or be
 * refused by both) through Joinery's HTTP endpoint as through SCIMMY's PatchOp.
 *
 * The peer's data set is Joinery's own answer (ids, meta.created, lastModified included), so both sides
 * judge the very same objects. Where SCIMMY departs from RFC 7643/7644 the peer is asked an equivalent
 * question (differential-peer.ts, differential-patch.ts); the few classes that are not generated at all
 * are listed next to their generator with the reason Joinery's behaviour is the defensible one.
 *
 * SCIM_DIFF_SEED=<n> runs the whole test (data set included) on another seed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_USER, createScimClient, patch, type ScimTestClient } from '../../../test/scim.ts';
import { fakeClock } from '../../core/index.ts';
import { ENTERPRISE_URN, generateUsers } from './differential-data.ts';
import { filterArbitrary } from './differential-filter-gen.ts';
import { evaluate, filterText } from './differential-filter-text.ts';
import { type AttrSpec, type CompareOp, catalogue, type Filter, type Leaf } from './differential-filters.ts';
import type { PatchCase } from './differential-patch.ts';
import { patchArbitrary, type Subject } from './differential-patch-gen.ts';
import { normalise, peerPatch } from './differential-patch-peer.ts';
import { type PeerView, peerLeaf, peerView } from './differential-peer.ts';

const SEED = Number(process.env.SCIM_DIFF_SEED ?? 0x5c1e);
const USERS = 80;
const FILTER_RUNS = 400;
const PATCH_RUNS = 400;

type Resource = Record<string, unknown> & { id: string };

let c: ScimTestClient;
const clock = fakeClock('2019-01-01T00:00:00Z');
/** Every user as Joinery returned it after creation: the data set both sides evaluate. */
let dataSet: Resource[] = [];
let views: PeerView[] = [];
/** User ids in creation order: a user's manager always comes earlier. */
const creationOrder: string[] = [];

beforeAll(async () => {
  c = await createScimClient({ clock });
  for (const seed of generateUsers(SEED, USERS)) {
    // meta.created spreads over 2019-2025, with exact ties.
    clock.set(seed.created);
    const body = structuredClone(seed.body);
    const manager = seed.managerIndex === null ? undefined : creationOrder[seed.managerIndex];
    if (manager !== undefined) {
      const enterprise = (body[ENTERPRISE_URN] as Record<string, unknown> | undefined) ?? {};
      body[ENTERPRISE_URN] = { ...enterprise, manager: { value: manager } };
      body.schemas = [CORE_USER, ENTERPRISE_URN];
    }
    const res = await c.scim('POST', '/Users', body);
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${JSON.stringify(res.body)}`);
    creationOrder.push(String(res.body.id));
  }
  const list = await c.scim('GET', '/Users?count=1000');
  dataSet = (list.body.Resources ?? []) as Resource[];
  if (dataSet.length !== USERS) throw new Error(`expected ${USERS} users, listed ${dataSet.length}`);
  views = dataSet.map(peerView);
});

afterAll(async () => {
  await c.close();
});

const sorted = (ids: Iterable<string>) => [...ids].sort();

/** The ids Joinery selects, or its error. */
async function joineryIds(text: string): Promise<string[] | string> {
  const res = await c.scim('GET', `/Users?count=1000&attributes=id&filter=${encodeURIComponent(text)}`);
  if (res.status !== 200) return `${res.status} ${String(res.body.detail)}`;
  return sorted((res.body.Resources ?? []).map((r) => String(r.id)));
}

describe('filters: Joinery (SQL) selects the users SCIMMY (in memory) matches', () => {
  it(`agrees on ${FILTER_RUNS} generated filters`, async () => {
    const all = new Set(views.map((v) => v.id));
    const filters = fc.sample(filterArbitrary(catalogue(dataSet)), { seed: SEED, numRuns: FILTER_RUNS });
    let divergent = 0;
    let selective = 0;
    /** Per diverging leaf, so that the report names the smallest filters that disagree. */
    const leafReports = new Map<string, string>();
    for (const filter of filters) {
      const text = filterText(filter);
      const peer = sorted(evaluate(filter, all, (leaf) => peerLeaf(leaf, views)));
      if (peer.length > 0 && peer.length < all.size) selective++;
      const joinery = await joineryIds(text);
      if (JSON.stringify(joinery) === JSON.stringify(peer)) continue;
      divergent++;
      let explained = false;
      for (const leaf of leavesOf(filter)) {
        const leafText = filterText(leaf);
        if (leafReports.has(leafText)) {
          explained = true;
          continue;
        }
        const leafPeer = sorted(peerLeaf(leaf, views));
        const leafJoinery = await joineryIds(leafText);
        if (JSON.stringify(leafJoinery) !== JSON.stringify(leafPeer)) {
          leafReports.set(leafText, explain(leaf, leafJoinery, leafPeer));
          explained = true;
        }
      }
      // Every leaf agrees on its own: the combination is what differs.
      if (!explained) leafReports.set(text, explain(null, joinery, peer));
    }
    const report = [...leafReports].slice(0, 20).map(([t, why]) => `${t}\n    ${why}`);
    expect(
      divergent === 0
        ? ''
        : `${divergent} of ${filters.length} filters disagree; smallest parts:\n${report.join('\n')}`,
    ).toBe('');
    // The generator must keep producing selective filters, not only "everyone" or "no one".
    expect(selective).toBeGreaterThan(FILTER_RUNS / 3);
  });

  // The two classes the generated filters found, spelt out. Both are Joinery bugs; see the comments.
  const compareOnce = async (path: string, op: CompareOp, value: string) => {
    const attr = catalogue(dataSet).attrs.find((a: AttrSpec) => a.path === path);
    if (!attr) throw new Error(`no attribute ${path}`);
    const leaf: Leaf = { kind: 'compare', attr, spelling: path, op, opText: op, value, escaped: false };
    const [joinery, scimmy] = [await joineryIds(filterText(leaf)), sorted(peerLeaf(leaf, views))];
    return {
      agree: JSON.stringify(joinery) === JSON.stringify(scimmy),
      summary: `${filterText(leaf)}: Joinery selects ${typeof joinery === 'string' ? joinery : joinery.length}, SCIMMY ${scimmy.length} of ${USERS} users`,
      scimmy,
    };
  };

  it('compares meta.resourceType case-exactly (RFC 7643 §3.1: "caseExact" as "true")', async () => {
    // Joinery's own schema (src/scim/schemas/common.ts) says caseExact: true, but filter-sql.ts answers
    // the `constant` column with a case-insensitive comparison, so `eq "user"` selects every User.
    for (const [op, value] of [
      ['eq', 'user'],
      ['ne', 'USER'],
    ] as const) {
      const { agree, summary } = await compareOnce('meta.resourceType', op, value);
      expect(agree, summary).toBe(true);
    }
  });

  it('selects users without a manager for manager.value ne "<not a uuid>", as it does for ne "<uuid>"', async () => {
    // compare-sql.ts uuidCompare answers `ne` with a non-uuid literal by `manager_id is not null`, while
    // `ne` with a uuid is `is distinct from`, true for an absent manager (like `ne` on every text column).
    // No stored uuid equals a non-uuid, so `ne` must hold for every user.
    const path = `${ENTERPRISE_URN}:manager.value`;
    const reference = await compareOnce(path, 'ne', '00000000-0000-4000-8000-000000000000');
    expect(reference.agree, reference.summary).toBe(true);
    const { agree, summary, scimmy } = await compareOnce(path, 'ne', 'not-a-uuid');
    expect(scimmy).toHaveLength(USERS);
    expect(agree, summary).toBe(true);
  });
});

describe('PATCH: Joinery and SCIMMY leave the same user, or both refuse', () => {
  it(`agrees on ${PATCH_RUNS} generated PATCH requests`, async () => {
    // Every user but the first, which has nobody to report to without a cycle.
    const subjects: Subject[] = creationOrder.slice(1).map((id, i) => ({
      resource: dataSet.find((u) => u.id === id) ?? { id },
      managers: creationOrder.slice(0, i + 1),
    }));
    const cases: PatchCase[] = fc.sample(patchArbitrary(subjects), { seed: SEED, numRuns: PATCH_RUNS });
    const divergences: string[] = [];
    const tally = { applied: 0, changed: 0, refused: 0 };
    for (const { subject, operations } of cases) {
      const id = String(subjects[subject]?.resource.id);
      // Back to the seeded state first (PUT replaces every writable attribute), so that every request
      // starts from the data set; the PUT's answer is what both sides patch.
      const restored = await c.scim('PUT', `/Users/${id}`, subjects[subject]?.resource);
      if (restored.status !== 200) throw new Error(`restore failed: ${JSON.stringify(restored.body)}`);
      const base = restored.body;
      const res = await c.scim('PATCH', `/Users/${id}`, patch(...operations));
      const peer = await peerPatch(base, operations);
      const joinery =
        res.status === 200 ? JSON.stringify(normalise(res.body)) : `${res.status} ${String(res.body.detail)}`;
      const scimmy = peer.ok ? JSON.stringify(normalise(peer.resource)) : `refused: ${peer.error}`;
      // Both refusing is agreement, whatever the reasons; a 5xx never is.
      if (res.status !== 200 && res.status < 500 && !peer.ok) {
        tally.refused++;
        continue;
      }
      if (res.status === 200 && peer.ok && joinery === scimmy) {
        tally.applied++;
        if (joinery !== JSON.stringify(normalise(base))) tally.changed++;
        continue;
      }
      divergences.push(
        `${JSON.stringify(operations)}\n    on ${JSON.stringify(normalise(base))}\n    Joinery: ${joinery}\n    SCIMMY:  ${scimmy}`,
      );
    }
    expect(
      divergences.length === 0
        ? ''
        : `${divergences.length} of ${cases.length} PATCH requests disagree:\n${divergences.slice(0, 12).join('\n')}`,
    ).toBe('');
    // Most requests must change the user on both sides; refusals are the minority.
    expect(tally.changed, JSON.stringify(tally)).toBeGreaterThan(PATCH_RUNS / 2);
    expect(tally.refused, JSON.stringify(tally)).toBeGreaterThan(PATCH_RUNS / 20);
  });
});

function leavesOf(f: Filter): Leaf[] {
  if ('left' in f) return [...leavesOf(f.left), ...leavesOf(f.right)];
  if (f.kind === 'not') return leavesOf(f.filter);
  return [f];
}

/** What each side answered, with the relevant value of the users only one side selected. */
function explain(leaf: Leaf | null, joinery: string[] | string, peer: string[]): string {
  if (typeof joinery === 'string') return `Joinery answered ${joinery}; SCIMMY selected ${peer.length} users`;
  const show = (ids: string[]) =>
    ids.length === 0
      ? '-'
      : ids
          .slice(0, 4)
          .map((id) => {
            const u = dataSet.find((x) => x.id === id) ?? {};
            return leaf ? (JSON.stringify(valueAt(u, leaf)) ?? 'absent') : id;
          })
          .join(', ') + (ids.length > 4 ? ` (+${ids.length - 4})` : '');
  const onlyJoinery = joinery.filter((id) => !peer.includes(id));
  const onlyPeer = peer.filter((id) => !joinery.includes(id));
  return `only Joinery: ${show(onlyJoinery)}; only SCIMMY: ${show(onlyPeer)}`;
}

function valueAt(u: Record<string, unknown>, leaf: Leaf): unknown {
  if (leaf.kind === 'valuePath') return u[leaf.multi];
  const path = leaf.attr.path.startsWith(ENTERPRISE_URN)
    ? [ENTERPRISE_URN, ...leaf.attr.path.slice(ENTERPRISE_URN.length + 1).split('.')]
    : leaf.attr.path.split('.');
  let v: unknown = u;
  for (const key of path) {
    if (Array.isArray(v))
      v = v.map((e: unknown) => (typeof e === 'object' && e !== null ? (e as Resource)[key] : undefined));
    else v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

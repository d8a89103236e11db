/**
 * SCIMMY's application of a differential PATCH request (`SCIMMY.Messages.PatchOp#apply` on a
 * `SCIMMY.Schemas.User`), and the normal form both results are compared in.
 */
import SCIMMY from 'scimmy';
import { ENT, MULTIS, type Multi, type PatchOperation } from './differential-patch.ts';
import './differential-peer.ts';
import { CORE_URN, isRecord, listOf, type Resource } from './differential-shared.ts';

export type PeerOutcome = { ok: true; resource: Resource } | { ok: false; error: string };

interface Step {
  operation: PatchOperation;
  /** The list operand replaces a whole multi-valued attribute: every value in it is new. */
  wholeReplace: boolean;
}

const lower = (op: string) => op.toLowerCase();
const isMulti = (path: string | undefined): path is Multi => path === 'emails' || path === 'phoneNumbers';
const ENTERPRISE_ATTRIBUTES = [
  'employeeNumber',
  'costCenter',
  'organization',
  'division',
  'department',
  'manager',
];
const CANONICAL = new Map(
  [
    ...['userName', 'externalId', 'displayName', 'title', 'userType', 'preferredLanguage', 'timezone'],
    ...['active', 'id', 'emails', 'phoneNumbers', 'name'],
    ...['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map(
      (n) => `name.${n}`,
    ),
    ENT,
    ...[...ENTERPRISE_ATTRIBUTES, 'manager.value'].map((a) => `${ENT}:${a}`),
  ].map((p) => [p.toLowerCase(), p]),
);

/** The canonical spelling of a path without a value filter; SCIMMY matches names case-sensitively. */
function canonical(path: string | undefined): string | undefined {
  if (path === undefined || path.includes('[')) return path;
  const core = `${CORE_URN.toLowerCase()}:`;
  const bare = path.toLowerCase().startsWith(core) ? path.slice(core.length) : path;
  return CANONICAL.get(bare.toLowerCase()) ?? bare;
}

/**
 * The request as SCIMMY must be asked for RFC 7644 semantics:
 * - paths are spelt canonically (see spellPath);
 * - a pathless replace becomes one replace per member: SCIMMY appends a pathless replace's list to the
 *   existing values instead of replacing them (§3.5.2.3);
 * - add/replace of null becomes remove: null is "unassigned" (RFC 7643 §2.5) and SCIMMY would otherwise
 *   store null, or merge nothing into a complex value;
 * - replace with a path becomes add, except on a whole multi-valued attribute. SCIMMY's replace is
 *   remove-then-add: replacing `emails[primary eq true].primary` removes the very value the filter needs
 *   (noTarget), and replacing `name` or `emails[...]` drops the sub-attributes not sent. §3.5.2.3 keeps
 *   those ("Sub-attributes that are not specified in the value parameter are left unchanged"), and on a
 *   single-valued or filtered target add has exactly those semantics (§3.5.2.1);
 * - removing the whole enterprise extension becomes removing each of its attributes: SCIMMY throws a
 *   TypeError on that path;
 * - setting `urn:...:User:manager.value` becomes setting `urn:...:User:manager` to `{value}`: SCIMMY
 *   answers noTarget when the user has no manager yet, where §3.5.2.1 creates the attribute.
 */
function steps(operations: readonly PatchOperation[]): Step[] {
  const out: Step[] = [];
  const push = (operation: PatchOperation) => {
    const op = lower(operation.op);
    const { value } = operation;
    const path = canonical(operation.path);
    if (path !== operation.path) return push({ ...operation, path });
    if (op !== 'remove' && path !== undefined && value === null) return push({ op: 'remove', path });
    if (op === 'remove' && path === ENT) {
      for (const a of ENTERPRISE_ATTRIBUTES)
        out.push({ operation: { op: 'remove', path: `${ENT}:${a}` }, wholeReplace: false });
      return;
    }
    if (op === 'replace' && path === undefined && isRecord(value)) {
      for (const [key, member] of Object.entries(value)) push({ op: 'replace', path: key, value: member });
      return;
    }
    if (op === 'replace' && path !== undefined && !isMulti(path)) return push({ op: 'add', path, value });
    if (op === 'add' && path === `${ENT}:manager.value`)
      return push({ op: 'add', path: `${ENT}:manager`, value: { value } });
    out.push({ operation, wholeReplace: op === 'replace' && isMulti(path) });
  };
  for (const operation of operations) push(operation);
  return out;
}

/** How many values of `multi` the step makes primary (RFC 7643 §2.4 allows one). */
function promoted(step: Step, multi: Multi, before: Record<string, unknown>[]): number {
  const { op, path, value } = step.operation;
  const primaries = (v: unknown) =>
    (Array.isArray(v) ? v : [v]).filter((e) => isRecord(e) && e.primary === true).length;
  if (lower(op) === 'remove') return 0;
  if (path === undefined) return isRecord(value) ? primaries(value[multi]) : 0;
  if (path === multi) return primaries(value);
  const m = new RegExp(`^${multi}\\[(.*)\\](?:\\.(\\w+))?$`).exec(path);
  if (!m || m[1] === undefined) return 0;
  const setsPrimary =
    m[2] === undefined ? isRecord(value) && value.primary === true : m[2] === 'primary' && value === true;
  if (!setsPrimary) return 0;
  const matched: unknown[] = new SCIMMY.Types.Filter(m[1]).match(before);
  return matched.length;
}

const sameElement = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a.value).toLowerCase() === String(b.value).toLowerCase() && a.type === b.type;

/**
 * RFC 7644 §3.5.2: "a PATCH operation that sets a value's "primary" sub-attribute to "true" SHALL cause
 * the server to automatically set "primary" to "false" for any other values in the array". SCIMMY keeps
 * both primary; this applies the rule to its result, and refuses a step that makes two values primary
 * at once (RFC 7643 §2.4: "The primary attribute value "true" MUST appear no more than once").
 */
function settlePrimary(step: Step, before: Resource, after: Resource): string | null {
  for (const multi of MULTIS) {
    const previous = listOf(before[multi]);
    const count =
      step.wholeReplace && step.operation.path === multi
        ? primaries(after[multi])
        : promoted(step, multi, previous);
    if (count > 1) return `${count} values of ${multi} made primary by one operation`;
    const current = listOf(after[multi]);
    if (count === 1 && current.filter((e) => e.primary === true).length > 1) {
      for (const e of current)
        if (e.primary === true && previous.some((p) => p.primary === true && sameElement(p, e)))
          e.primary = false;
    }
  }
  return null;
}
const primaries = (v: unknown) => listOf(v).filter((e) => e.primary === true).length;

export async function peerPatch(base: Resource, operations: readonly PatchOperation[]): Promise<PeerOutcome> {
  let current: Resource = structuredClone(base);
  for (const step of steps(operations)) {
    let next: Resource;
    try {
      const message = new SCIMMY.Messages.PatchOp({
        schemas: [SCIMMY.Messages.PatchOp.id],
        Operations: [step.operation as SCIMMY.Messages.PatchOp.PatchOpOperation],
      });
      const patched: unknown = await message.apply(new SCIMMY.Schemas.User(current, 'out'));
      // apply() answers undefined when nothing changed.
      next = patched === undefined ? current : (JSON.parse(JSON.stringify(patched)) as Resource);
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const refused = settlePrimary(step, current, next);
    if (refused) return { ok: false, error: refused };
    current = next;
  }
  return { ok: true, resource: current };
}

// ---------------------------------------------------------------------------------------------------
// Comparison.

/**
 * The attributes Joinery stores, in a fixed shape, so that two results compare as JSON text:
 * - meta, id and schemas are left out: meta is the server's (timestamps, version), id cannot change, and
 *   `schemas` follows from the extension object being present or not;
 * - name.formatted is left out: Joinery computes it from the other parts (it is readOnly there), SCIMMY
 *   keeps whatever it was given;
 * - manager is reduced to its value: $ref and displayName are readOnly and the server's;
 * - attributes Joinery does not store (nickName, an e-mail's display...) are left out;
 * - null, absent, an empty object and an empty array are one state (RFC 7643 §2.5), and so are an absent
 *   `primary` and `primary: false` (only `true` marks a primary value, RFC 7643 §2.4);
 * - the values of emails and phoneNumbers are compared as a set (sorted): RFC 7643 §2.4 gives
 *   multi-valued attributes no order;
 * - an absent `active` is true: Joinery always holds one, true by default, and RFC 7643 §4.1.1 leaves its
 *   meaning to the service provider.
 */
export function normalise(r: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'boolean') target[key] = v;
  };
  for (const key of [
    'userName',
    'externalId',
    'displayName',
    'title',
    'userType',
    'preferredLanguage',
    'timezone',
  ])
    put(out, key, r[key]);
  out.active = typeof r.active === 'boolean' ? r.active : true;
  const name: Record<string, unknown> = {};
  const n = isRecord(r.name) ? r.name : {};
  for (const key of ['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'])
    put(name, key, n[key]);
  if (Object.keys(name).length > 0) out.name = name;
  for (const multi of MULTIS) {
    const values = listOf(r[multi])
      .map((e) => {
        const v: Record<string, unknown> = {};
        put(v, 'value', e.value);
        put(v, 'type', e.type);
        if (e.primary === true) v.primary = true;
        return JSON.stringify(v);
      })
      .sort();
    if (values.length > 0) out[multi] = values.map((v) => JSON.parse(v) as unknown);
  }
  const e = isRecord(r[ENT]) ? r[ENT] : {};
  const enterprise: Record<string, unknown> = {};
  for (const key of ['employeeNumber', 'costCenter', 'organization', 'division', 'department'])
    put(enterprise, key, e[key]);
  if (isRecord(e.manager)) put(enterprise, 'manager', e.manager.value);
  if (Object.keys(enterprise).length > 0) out.enterprise = enterprise;
  return out;
}

/**
 * One HR record as mapping expressions and scoping filters see it: attributes looked up by name,
 * case-insensitively, under the SCIM path names Entra's API-driven inbound provisioning uses.
 *
 * A record is built once per source row and read many times (every mapping, every scoping clause), and a
 * load can hold 100k rows, so construction flattens the input into one Map keyed by the lower-cased path
 * and `get` is a single Map lookup (plus a cached normalisation of the name for SCIM value paths).
 */

export type SourceValue = string | number | boolean | null | readonly SourceValue[];

export interface SourceRecord {
  /** Attribute by name, case-insensitive; undefined when absent. */
  get(name: string): SourceValue | undefined;
  /** Every attribute name present (canonical spelling as received), for logs and `mapping test`. */
  names(): string[];
  /** The record as a plain object of name → value (for provisioning logs). */
  toJSON(): Record<string, SourceValue>;
}

type Json = Record<string, unknown>;

/** Deeper nesting than this is not HR data; the cap also stops runaway recursion on cyclic input. */
const MAX_DEPTH = 8;

const CORE_USER_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** JSON-ish input to a SourceValue scalar; undefined for what has no JSON form (dropped, not stored). */
function scalar(value: unknown): SourceValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object':
      if (value === null) return null;
      // A CSV parser or JSON reviver may hand us Dates; logs and expressions want the ISO text.
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      return undefined;
    default:
      return undefined;
  }
}

/** An array of scalars (nested arrays kept); objects inside are dropped, they have no flat value. */
function scalarArray(values: readonly unknown[], depth: number): SourceValue[] {
  const out: SourceValue[] = [];
  for (const v of values) {
    if (Array.isArray(v)) {
      if (depth < MAX_DEPTH) out.push(scalarArray(v, depth + 1));
      continue;
    }
    const s = scalar(v);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/**
 * Collects attributes during construction. `index` holds every lookup key (lower-cased); `names` and
 * `values` hold only the listed attributes, in arrival order, for `names()` and `toJSON()`. The first
 * spelling of a key wins, so a record with both "Dept" and "dept" answers with the first one.
 */
class Collector {
  readonly index = new Map<string, SourceValue>();
  readonly names: string[] = [];
  readonly values: SourceValue[] = [];

  add(name: string, key: string, value: SourceValue): void {
    if (this.index.has(key)) return;
    this.index.set(key, value);
    this.names.push(name);
    this.values.push(value);
  }

  /** A second key for a value already listed under another name (kept out of names() and toJSON()). */
  alias(key: string, value: SourceValue): void {
    if (!this.index.has(key)) this.index.set(key, value);
  }
}

class IndexedRecord implements SourceRecord {
  readonly #index: Map<string, SourceValue>;
  readonly #names: readonly string[];
  readonly #values: readonly SourceValue[];
  readonly #key: (name: string) => string;

  constructor(c: Collector, key: (name: string) => string) {
    this.#index = c.index;
    this.#names = c.names;
    this.#values = c.values;
    this.#key = key;
  }

  get(name: string): SourceValue | undefined {
    const found = this.#index.get(this.#key(name));
    if (found !== undefined) return found;
    // A sub-attribute of a complex attribute sent as null (`"manager": null`) is null, not absent:
    // the client cleared the whole attribute, so mappings must clear the target too.
    const dot = name.lastIndexOf('.');
    if (dot > 0 && this.#index.get(this.#key(name.slice(0, dot))) === null) return null;
    return undefined;
  }

  names(): string[] {
    return [...this.#names];
  }

  toJSON(): Record<string, SourceValue> {
    // fromEntries defines own properties, so a header such as "__proto__" stays data, not a prototype.
    return Object.fromEntries(this.#names.map((n, i) => [n, this.#values[i] as SourceValue]));
  }
}

// ---------------------------------------------------------------------------------------------------
// Attribute paths

/**
 * A canonical name and its lookup key. Every record of a load has the same attribute names, so paths
 * are interned: building `urn:...:User:manager.value` for the 100,000th record is a few Map hits on
 * strings whose hashes V8 already knows, not a fresh concatenation, lower-casing and hashing per key
 * (that was most of the construction cost when measured).
 */
interface Path {
  readonly name: string;
  readonly key: string;
  /** `name.sub` */
  dot?: Map<string, Path>;
  /** `urn:...:User:attr` */
  colon?: Map<string, Path>;
  /** `name[type eq "t"]` */
  typed?: Map<string, Path>;
  /** `name[primary eq true]` */
  primary?: Path;
}

/** Interned paths are dropped wholesale past this many, so odd input cannot grow the cache forever. */
const PATH_LIMIT = 20_000;
let pathCount = 0;
let root: Path = { name: '', key: '' };

function freshRoot(): Path {
  if (pathCount > PATH_LIMIT) {
    pathCount = 0;
    root = { name: '', key: '' };
  }
  return root;
}

function intern(map: Map<string, Path>, part: string, make: () => Path): Path {
  let p = map.get(part);
  if (p === undefined) {
    p = make();
    map.set(part, p);
    pathCount++;
  }
  return p;
}

function top(r: Path, name: string): Path {
  r.dot ??= new Map();
  return intern(r.dot, name, () => ({ name, key: name.toLowerCase() }));
}

function dot(parent: Path, sub: string): Path {
  parent.dot ??= new Map();
  return intern(parent.dot, sub, () => ({
    name: `${parent.name}.${sub}`,
    key: `${parent.key}.${sub.toLowerCase()}`,
  }));
}

function colon(parent: Path, attr: string): Path {
  parent.colon ??= new Map();
  return intern(parent.colon, attr, () => ({
    name: `${parent.name}:${attr}`,
    key: `${parent.key}:${attr.toLowerCase()}`,
  }));
}

function typed(parent: Path, type: string): Path {
  parent.typed ??= new Map();
  return intern(parent.typed, type, () => ({
    name: `${parent.name}[type eq "${type}"]`,
    key: `${parent.key}[type eq "${type.toLowerCase()}"]`,
  }));
}

function primaryOf(parent: Path): Path {
  if (parent.primary === undefined) {
    parent.primary = { name: `${parent.name}[primary eq true]`, key: `${parent.key}[primary eq true]` };
    pathCount++;
  }
  return parent.primary;
}

// ---------------------------------------------------------------------------------------------------
// SCIM resources

/**
 * Extension containers are the keys listed in `schemas`; when a client leaves `schemas` out we still
 * recognise a URN ending in a resource type (":User", ":Group"), which is how every SCIM extension
 * schema is named. Anything else URN-shaped is an attribute written with its full path.
 */
function isExtensionContainer(lowerKey: string, resource: Json): boolean {
  if (lowerKey.endsWith(':user') || lowerKey.endsWith(':group')) return true;
  const schemas = resource['schemas'];
  if (!Array.isArray(schemas)) return false;
  return schemas.some((s) => typeof s === 'string' && s.toLowerCase() === lowerKey);
}

function addScimAttribute(c: Collector, path: Path, value: unknown, depth: number): void {
  if (Array.isArray(value)) {
    if (value.some(isObject)) addMultiValued(c, path, value);
    else c.add(path.name, path.key, scalarArray(value, depth));
    return;
  }
  if (isObject(value)) {
    if (depth >= MAX_DEPTH) return;
    for (const sub of Object.keys(value)) addScimAttribute(c, dot(path, sub), value[sub], depth + 1);
    return;
  }
  const s = scalar(value);
  if (s !== undefined) c.add(path.name, path.key, s);
}

/**
 * A multi-valued complex attribute (emails, phoneNumbers, addresses, ...). Registered as:
 * - the bare name (and `name.value`): the array of every element's `value`, when any element has one;
 * - `name[type eq "<type>"].<sub>` for each element with a type and each of its scalar sub-attributes
 *   but `type` itself, listed in names() with the type as received; the first element of a type wins;
 * - `name[primary eq true].<sub>` for the element marked primary (an alias, not listed).
 * Sub-attribute names and type values are matched case-insensitively (SCIM's `type` is not caseExact).
 */
function addMultiValued(c: Collector, path: Path, elements: readonly unknown[]): void {
  const values: SourceValue[] = [];
  for (const el of elements) {
    const v = isObject(el) ? elementValue(el) : scalar(el);
    if (v !== undefined && v !== null) values.push(v);
  }
  if (values.length > 0) {
    c.add(path.name, path.key, values);
    c.alias(dot(path, 'value').key, values);
  }
  for (const el of elements) {
    if (!isObject(el)) continue;
    let type: string | undefined;
    let primary = false;
    for (const k of Object.keys(el)) {
      const lower = k.toLowerCase();
      const v = el[k];
      if (lower === 'type' && typeof v === 'string') type = v;
      // "True" strings show up from clients that serialise every value as text.
      else if (lower === 'primary')
        primary = v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
    }
    const typedPath = type === undefined ? undefined : typed(path, type);
    const primaryPath = primary ? primaryOf(path) : undefined;
    for (const sub of Object.keys(el)) {
      const s = scalar(el[sub]);
      if (s === undefined) continue;
      if (typedPath !== undefined && sub.toLowerCase() !== 'type') {
        const p = dot(typedPath, sub);
        c.add(p.name, p.key, s);
      }
      if (primaryPath !== undefined) c.alias(dot(primaryPath, sub).key, s);
    }
  }
}

function elementValue(el: Json): SourceValue | undefined {
  if (Object.hasOwn(el, 'value')) return scalar(el['value']);
  for (const k of Object.keys(el)) if (k.toLowerCase() === 'value') return scalar(el[k]);
  return undefined;
}

const valuePathPattern =
  /^([^[\]]+)\[\s*([^\s[\]]+)\s+eq\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(true|false))\s*\](?:\.([^[\]]+))?$/;

/**
 * Lower-cased lookup key for a SCIM attribute name, with value paths rewritten to the one spelling the
 * index uses: `emails[type eq 'Work']` → `emails[type eq "work"].value` (single quotes, spacing, a
 * missing sub-attribute and a quoted "true" for primary are all accepted).
 */
function scimKeyUncached(name: string): string {
  let key = name.toLowerCase();
  // RFC 7644 allows core attributes by their fully qualified name; the index stores them short.
  if (key.startsWith(CORE_USER_PREFIX)) key = key.slice(CORE_USER_PREFIX.length);
  if (!key.includes('[')) return key;
  const m = valuePathPattern.exec(key);
  if (m === null) return key;
  const [, attr, selector, dq, sq, bool, sub] = m;
  const literal = dq ?? sq ?? bool ?? '';
  const rendered = selector === 'primary' ? literal : `"${literal}"`;
  return `${attr}[${selector} eq ${rendered}].${sub ?? 'value'}`;
}

/**
 * Mapping and scoping ask for the same few dozen names on every record, so the normalised key is
 * remembered; cleared when it grows past a bound so arbitrary names cannot grow it without limit.
 */
const scimKeyCache = new Map<string, string>();
const SCIM_KEY_CACHE_LIMIT = 4096;

function scimKey(name: string): string {
  const cached = scimKeyCache.get(name);
  if (cached !== undefined) return cached;
  const key = scimKeyUncached(name);
  if (scimKeyCache.size >= SCIM_KEY_CACHE_LIMIT) scimKeyCache.clear();
  scimKeyCache.set(name, key);
  return key;
}

/**
 * A SCIM User resource (an Entra /bulkUpload operation's `data`) as a record. Extension attributes are
 * named by their full URN path (`urn:...:enterprise:2.0:User:manager.value`), whether the client nested
 * them under the schema URN or wrote the prefixed key at top level. `schemas` itself is structure, not
 * data, and is left out. Values keep their JSON types; coercion belongs to the expressions.
 */
export function scimSourceRecord(resource: Record<string, unknown>): SourceRecord {
  const c = new Collector();
  const r = freshRoot();
  for (const key of Object.keys(resource)) {
    const value = resource[key];
    const path = top(r, key);
    if (path.key === 'schemas') continue;
    if (isObject(value) && path.key.startsWith('urn:') && isExtensionContainer(path.key, resource)) {
      for (const attr of Object.keys(value)) addScimAttribute(c, colon(path, attr), value[attr], 1);
      continue;
    }
    addScimAttribute(c, path, value, 0);
  }
  return new IndexedRecord(c, scimKey);
}

// ---------------------------------------------------------------------------------------------------
// Flat records (CSV rows, JSON pulls)

function addFlat(c: Collector, path: Path, value: unknown, depth: number): void {
  if (isObject(value)) {
    if (depth >= MAX_DEPTH) return;
    for (const sub of Object.keys(value)) addFlat(c, dot(path, sub), value[sub], depth + 1);
    return;
  }
  const v = Array.isArray(value) ? scalarArray(value, depth) : scalar(value);
  if (v !== undefined) c.add(path.name, path.key, v);
}

function lowerKey(name: string): string {
  return name.toLowerCase();
}

/**
 * A CSV row or a JSON record from an HTTP pull. Keys are used as they are, spaces and dots included
 * ("Employee ID", "Worker.Name"); nested objects are reachable by dotted paths (`Worker.Name` into
 * `{ Worker: { Name } }`). When both spellings exist the one met first wins. Arrays of scalars are kept
 * as arrays; objects inside arrays have no flat name and are dropped.
 */
export function flatSourceRecord(values: Record<string, unknown>): SourceRecord {
  const c = new Collector();
  const r = freshRoot();
  for (const key of Object.keys(values)) addFlat(c, top(r, key), values[key], 0);
  return new IndexedRecord(c, lowerKey);
}

// An in-memory SCIM 2.0 service provider (RFC 7643/7644) to provision into: a stand-in for a SaaS app in
// tests and benchmarks of outbound provisioning. Plain node:http (no framework) so it is never the
// bottleneck; users and groups live in Maps with indexes on the attributes targets are searched by.
// Test-only control endpoints under /_control (no auth): request counts, a log of every successful
// write (for change-to-target latency), fault injection (429/500/503), reset and a dump.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SCIM_PREFIX = '/scim/v2';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const MAX_RESULTS = 1000;
const MAX_BODY = 16 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Kind = 'User' | 'Group';

export interface TargetWrite {
  /** Epoch ms when the write was applied. */
  at: number;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  kind: Kind;
  id: string;
  userName?: string;
}

export interface FaultRule {
  status: 429 | 500 | 503;
  retryAfterSeconds?: number;
  /** Share of requests that fail (default 1). */
  probability?: number;
  /** How many requests fail at most; absent = until cleared. */
  count?: number;
}

export interface TargetStats {
  /** Requests per "METHOD pathKind", e.g. "POST /Users", "PATCH /Groups/:id" (control requests excluded). */
  requests: Record<string, number>;
  objects: number;
  users: number;
  activeUsers: number;
  groups: number;
  /** Member entries summed over all groups. */
  memberships: number;
  writes: number;
  faultsInjected: number;
}

export interface MemoryScimTarget {
  /** Base URL including /scim/v2. */
  url: string;
  /** Origin of the control endpoints (`${origin}/_control/...`). */
  origin: string;
  port: number;
  stats(): TargetStats;
  writes(since?: number): TargetWrite[];
  dump(): { users: JsonObject[]; groups: JsonObject[] };
  setFault(rule: FaultRule | null): void;
  reset(): void;
  close(): Promise<void>;
}

class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: string,
  ) {
    super(message);
  }
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key of `obj` matching `name` case-insensitively (RFC 7643 §2.1), or `name` when absent. */
function keyOf(obj: JsonObject, name: string): string {
  if (name in obj) return name;
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return key;
  return name;
}

const clone = <T extends Json>(v: T): T => structuredClone(v);

// ---------------------------------------------------------------------------------------------------
// Filters (RFC 7644 §3.4.2.2): attrPath op value, joined by and/or, with not(...) and parentheses.

type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; inner: Filter }
  | { op: 'cmp'; attr: string; cmp: string; value: Json }
  | { op: 'pr'; attr: string };

type Token = { t: 'word'; v: string } | { t: 'str'; v: string } | { t: 'punct'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: 'punct', v: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new ScimError(400, 'unterminated string in filter', 'invalidFilter');
      try {
        out.push({ t: 'str', v: JSON.parse(text.slice(i, j + 1)) as string });
      } catch {
        throw new ScimError(400, 'bad string escape in filter', 'invalidFilter');
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t()[]"'.includes(text[j] as string)) j++;
      out.push({ t: 'word', v: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(text: string): Filter {
  const tokens = tokenize(text);
  let k = 0;
  const peekWord = () => {
    const t = tokens[k];
    return t?.t === 'word' ? t.v.toLowerCase() : undefined;
  };
  const fail = (why: string): never => {
    throw new ScimError(400, `invalid filter "${text}": ${why}`, 'invalidFilter');
  };
  const or = (): Filter => {
    let left = and();
    while (peekWord() === 'or') {
      k++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Filter => {
    let left = unary();
    while (peekWord() === 'and') {
      k++;
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Filter => {
    const t = tokens[k];
    if (!t) return fail('unexpected end');
    if (t.t === 'punct' && t.v === '(') {
      k++;
      const inner = or();
      if (tokens[k]?.v !== ')') fail('missing )');
      k++;
      return inner;
    }
    if (t.t === 'word' && t.v.toLowerCase() === 'not') {
      k++;
      if (tokens[k]?.v !== '(') fail('not must be followed by (');
      return { op: 'not', inner: unary() };
    }
    if (t.t !== 'word') return fail(`unexpected ${t.v}`);
    k++;
    let attr = t.v;
    if (tokens[k]?.v === '[') {
      // attr[sub op value].x is a complex filter; only the simple form attr[...] is supported here
      // by flattening `emails[type eq "work"]` into `emails.type eq "work"`.
      k++;
      const inner = or();
      if (tokens[k]?.v !== ']') fail('missing ]');
      k++;
      return prefix(attr, inner);
    }
    const op = peekWord();
    if (op === 'pr') {
      k++;
      return { op: 'pr', attr };
    }
    if (!op || !OPS.has(op)) return fail(`unknown operator after ${attr}`);
    k++;
    const v = tokens[k];
    if (!v) return fail('missing value');
    k++;
    let value: Json;
    if (v.t === 'str') value = v.v;
    else if (v.t === 'word' && (v.v === 'true' || v.v === 'false')) value = v.v === 'true';
    else if (v.t === 'word' && v.v === 'null') value = null;
    else if (v.t === 'word' && v.v !== '' && !Number.isNaN(Number(v.v))) value = Number(v.v);
    else return fail(`bad value ${v.v}`);
    attr = attr.trim();
    return { op: 'cmp', attr, cmp: op, value };
  };
  const prefix = (attr: string, f: Filter): Filter => {
    switch (f.op) {
      case 'and':
      case 'or':
        return { op: f.op, left: prefix(attr, f.left), right: prefix(attr, f.right) };
      case 'not':
        return { op: 'not', inner: prefix(attr, f.inner) };
      case 'cmp':
        return { ...f, attr: `${attr}.${f.attr}` };
      case 'pr':
        return { op: 'pr', attr: `${attr}.${f.attr}` };
    }
  };
  const result = or();
  if (k !== tokens.length) fail('trailing input');
  return result;
}

/** Case-insensitive by default (RFC 7643 caseExact false); these attributes compare exactly. */
const CASE_EXACT = new Set(['id', 'externalid', 'value', 'members.value', 'meta.version']);

function valuesAt(resource: Json, path: string[]): Json[] {
  if (path.length === 0) return [resource];
  if (Array.isArray(resource)) return resource.flatMap((item) => valuesAt(item, path));
  if (!isObject(resource)) return [];
  const [head, ...rest] = path as [string, ...string[]];
  const v = resource[keyOf(resource, head)];
  return v === undefined ? [] : valuesAt(v, rest);
}

function splitAttr(attr: string): string[] {
  // A schema URN prefix: "urn:...:User:department" is the extension object's "department".
  const colon = attr.lastIndexOf(':');
  if (colon < 0) return attr.split('.');
  const urn = attr.slice(0, colon);
  const rest = attr.slice(colon + 1).split('.');
  return urn === USER_SCHEMA || urn === GROUP_SCHEMA ? rest : [urn, ...rest];
}

function compare(actual: Json, cmp: string, wanted: Json, exact: boolean): boolean {
  if (typeof actual === 'string' && typeof wanted === 'string') {
    const a = exact ? actual : actual.toLowerCase();
    const w = exact ? wanted : wanted.toLowerCase();
    switch (cmp) {
      case 'eq':
        return a === w;
      case 'ne':
        return a !== w;
      case 'co':
        return a.includes(w);
      case 'sw':
        return a.startsWith(w);
      case 'ew':
        return a.endsWith(w);
      case 'gt':
        return a > w;
      case 'ge':
        return a >= w;
      case 'lt':
        return a < w;
      case 'le':
        return a <= w;
    }
    return false;
  }
  if (cmp === 'eq') return actual === wanted;
  if (cmp === 'ne') return actual !== wanted;
  if (typeof actual === 'number' && typeof wanted === 'number') {
    if (cmp === 'gt') return actual > wanted;
    if (cmp === 'ge') return actual >= wanted;
    if (cmp === 'lt') return actual < wanted;
    if (cmp === 'le') return actual <= wanted;
  }
  return false;
}

export function matches(resource: Json, f: Filter): boolean {
  switch (f.op) {
    case 'and':
      return matches(resource, f.left) && matches(resource, f.right);
    case 'or':
      return matches(resource, f.left) || matches(resource, f.right);
    case 'not':
      return !matches(resource, f.inner);
    case 'pr':
      return valuesAt(resource, splitAttr(f.attr)).some(
        (v) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0),
      );
    case 'cmp': {
      const exact = CASE_EXACT.has(f.attr.toLowerCase());
      const values = valuesAt(resource, splitAttr(f.attr));
      if (f.cmp === 'ne') return values.every((v) => compare(v, 'ne', f.value, exact));
      return values.some((v) => compare(v, f.cmp, f.value, exact));
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// PATCH paths (RFC 7644 §3.5.2): [urn:...:]attr[.sub] or attr[filter][.sub].

interface PatchPath {
  /** Top-level key, or the extension URN whose object holds `attr`. */
  container: string | null;
  attr: string;
  filter: Filter | null;
  sub: string | null;
}

/** A schema URN itself (the enterprise extension object), not an attribute inside one. */
const isSchemaUrn = (text: string) => /^urn:.*:(User|Group)$/.test(text);

function parsePath(path: string): PatchPath {
  const bracket = path.indexOf('[');
  const head = bracket < 0 ? path : path.slice(0, bracket);
  if (isSchemaUrn(head)) {
    if (head === USER_SCHEMA || head === GROUP_SCHEMA || bracket >= 0)
      throw new ScimError(400, `invalid path "${path}"`, 'invalidPath');
    return { container: null, attr: head, filter: null, sub: null };
  }
  let container: string | null = null;
  let attrPart = head;
  const colon = head.lastIndexOf(':');
  if (colon >= 0) {
    const urn = head.slice(0, colon);
    attrPart = head.slice(colon + 1);
    if (urn !== USER_SCHEMA && urn !== GROUP_SCHEMA) container = urn;
  }
  let filter: Filter | null = null;
  let sub: string | null = null;
  if (bracket >= 0) {
    const close = path.lastIndexOf(']');
    if (close < bracket) throw new ScimError(400, `invalid path "${path}"`, 'invalidPath');
    filter = parseFilter(path.slice(bracket + 1, close));
    const after = path.slice(close + 1);
    if (after.startsWith('.')) sub = after.slice(1);
    else if (after !== '') throw new ScimError(400, `invalid path "${path}"`, 'invalidPath');
    if (attrPart.includes('.')) throw new ScimError(400, `invalid path "${path}"`, 'invalidPath');
  } else {
    const dot = attrPart.indexOf('.');
    if (dot >= 0) {
      sub = attrPart.slice(dot + 1);
      attrPart = attrPart.slice(0, dot);
    }
  }
  if (attrPart === '') {
    if (!container) throw new ScimError(400, `invalid path "${path}"`, 'invalidPath');
    // The extension itself, e.g. "urn:...:enterprise:2.0:User" with an object value.
    return { container: null, attr: container, filter, sub };
  }
  return { container, attr: attrPart, filter, sub };
}

/** Merges `value` into `target[key]`: arrays append (members without duplicates), objects merge. */
function addValue(target: JsonObject, name: string, value: Json): void {
  const key = keyOf(target, name);
  const current = target[key];
  if (Array.isArray(value) || Array.isArray(current)) {
    const list = Array.isArray(current)
      ? current
      : current === undefined || current === null
        ? []
        : [current];
    const incoming = Array.isArray(value) ? value : [value];
    for (const item of incoming) {
      const id = isObject(item) ? item.value : undefined;
      const dup = list.some((e) =>
        id !== undefined && isObject(e) ? e.value === id : JSON.stringify(e) === JSON.stringify(item),
      );
      if (!dup) list.push(clone(item));
    }
    if (isObject(value) || incoming.some(isObject)) {
      // At most one primary (RFC 7643 §2.4): the newest wins.
      const lastPrimary = list.map((e) => isObject(e) && e.primary === true).lastIndexOf(true);
      if (lastPrimary >= 0) {
        list.forEach((e, i) => {
          if (i !== lastPrimary && isObject(e) && e.primary === true) e.primary = false;
        });
      }
    }
    target[key] = list;
  } else if (isObject(value) && isObject(current)) {
    for (const [k, v] of Object.entries(value)) addValue(current, k, v);
  } else {
    target[key] = clone(value);
  }
}

function replaceValue(target: JsonObject, name: string, value: Json): void {
  const key = keyOf(target, name);
  const current = target[key];
  if (isObject(value) && isObject(current)) {
    for (const [k, v] of Object.entries(value)) replaceValue(current, k, v);
  } else {
    target[key] = clone(value);
  }
}

function applyOperation(resource: JsonObject, opName: string, path: string | undefined, value: Json): void {
  const op = opName.toLowerCase();
  if (op !== 'add' && op !== 'replace' && op !== 'remove')
    throw new ScimError(400, `unknown op "${opName}"`, 'invalidSyntax');
  if (path === undefined || path === '') {
    if (op === 'remove') throw new ScimError(400, 'remove needs a path', 'noTarget');
    if (!isObject(value))
      throw new ScimError(400, `${op} without a path needs an object value`, 'invalidValue');
    for (const [k, v] of Object.entries(value)) {
      // A key may itself be a path ("name.givenName", an extension URN attribute).
      if (k.startsWith('urn:') ? !isSchemaUrn(k) : k.includes('.')) applyOperation(resource, op, k, v);
      else if (op === 'add') addValue(resource, k, v);
      else replaceValue(resource, k, v);
    }
    return;
  }
  const p = parsePath(path);
  let holder: JsonObject = resource;
  if (p.container) {
    const key = keyOf(resource, p.container);
    const existing = resource[key];
    if (!isObject(existing)) {
      if (op === 'remove') return;
      resource[key] = {};
    }
    holder = resource[key] as JsonObject;
    const schemas = resource.schemas;
    if (Array.isArray(schemas) && !schemas.includes(p.container)) schemas.push(p.container);
  }
  const attrKey = keyOf(holder, p.attr);
  if (p.filter) {
    const filter = p.filter;
    const list = holder[attrKey];
    const items = Array.isArray(list) ? list : [];
    const hits = items.filter((item) => matches(item, filter));
    if (op === 'remove') {
      if (p.sub) {
        for (const hit of hits) if (isObject(hit)) delete hit[keyOf(hit, p.sub)];
      } else {
        holder[attrKey] = items.filter((item) => !hits.includes(item));
      }
      return;
    }
    if (hits.length === 0) {
      // Entra-style: `replace emails[type eq "work"].value` on a user without one creates it.
      if (p.sub && filter.op === 'cmp' && filter.cmp === 'eq' && !filter.attr.includes('.')) {
        const created: JsonObject = { [filter.attr]: filter.value, [p.sub]: clone(value) };
        holder[attrKey] = [...items, created];
        return;
      }
      throw new ScimError(400, `no value matches "${path}"`, 'noTarget');
    }
    for (const hit of hits) {
      if (!isObject(hit)) continue;
      if (p.sub) {
        if (op === 'add') addValue(hit, p.sub, value);
        else replaceValue(hit, p.sub, value);
      } else if (isObject(value)) {
        for (const [k, v] of Object.entries(value)) replaceValue(hit, k, v);
      } else {
        throw new ScimError(400, `"${path}" needs an object value`, 'invalidValue');
      }
    }
    return;
  }
  if (p.sub) {
    let parent = holder[attrKey];
    if (op === 'remove') {
      if (isObject(parent)) delete parent[keyOf(parent, p.sub)];
      else if (Array.isArray(parent))
        for (const item of parent) if (isObject(item)) delete item[keyOf(item, p.sub)];
      return;
    }
    if (!isObject(parent)) {
      parent = {};
      holder[attrKey] = parent;
    }
    if (op === 'add') addValue(parent, p.sub, value);
    else replaceValue(parent, p.sub, value);
    return;
  }
  if (op === 'remove') {
    const current = holder[attrKey];
    // Entra sends `remove members` with the members to remove as the value.
    if (Array.isArray(current) && Array.isArray(value)) {
      const gone = new Set(value.map((v) => (isObject(v) ? v.value : v)));
      holder[attrKey] = current.filter((e) => !gone.has(isObject(e) ? (e.value ?? null) : e));
    } else {
      delete holder[attrKey];
    }
    return;
  }
  // replace on a complex attribute sets the given sub-attributes and leaves the others (§3.5.2.3).
  if (op === 'add') addValue(holder, p.attr, value);
  else replaceValue(holder, p.attr, value);
}

// ---------------------------------------------------------------------------------------------------
// The store.

interface Store {
  users: Map<string, JsonObject>;
  groups: Map<string, JsonObject>;
  /** lower(userName) → id */
  userNames: Map<string, string>;
  /** externalId → ids, per kind */
  externalIds: Map<string, Set<string>>;
  /** lower(displayName) → group ids */
  groupNames: Map<string, Set<string>>;
}

const emptyStore = (): Store => ({
  users: new Map(),
  groups: new Map(),
  userNames: new Map(),
  externalIds: new Map(),
  groupNames: new Map(),
});

function indexAdd(index: Map<string, Set<string>>, key: Json | undefined, id: string): void {
  if (typeof key !== 'string') return;
  const set = index.get(key);
  if (set) set.add(id);
  else index.set(key, new Set([id]));
}

function indexDelete(index: Map<string, Set<string>>, key: Json | undefined, id: string): void {
  if (typeof key !== 'string') return;
  const set = index.get(key);
  set?.delete(id);
  if (set?.size === 0) index.delete(key);
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function send(
  res: http.ServerResponse,
  status: number,
  body?: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/scim+json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function scimError(res: http.ServerResponse, status: number, detail: string, scimType?: string) {
  send(res, status, {
    schemas: [ERROR_SCHEMA],
    status: String(status),
    detail,
    ...(scimType ? { scimType } : {}),
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        fail(new ScimError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

async function readJson(req: http.IncomingMessage): Promise<JsonObject> {
  const text = await readBody(req);
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw new ScimError(400, 'the body is not JSON', 'invalidSyntax');
  }
  if (!isObject(parsed)) throw new ScimError(400, 'the body is not a JSON object', 'invalidSyntax');
  return parsed;
}

const serviceProviderConfig = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_RESULTS },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [
    { type: 'oauthbearertoken', name: 'Bearer token', description: 'Authorization: Bearer <token>' },
  ],
  meta: { resourceType: 'ServiceProviderConfig' },
};

const CANONICAL = ['userName', 'displayName', 'externalId', 'members', 'active', 'schemas'] as const;

const resourceTypes = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: GROUP_SCHEMA,
  },
];

/** Starts the target on 127.0.0.1 (port 0 = any free port). Without `token`, requests need no auth. */
export async function startMemoryScimTarget(
  options: { port?: number; token?: string } = {},
): Promise<MemoryScimTarget> {
  let store = emptyStore();
  let requests = new Map<string, number>();
  let writeLog: TargetWrite[] = [];
  let fault: (FaultRule & { left: number }) | null = null;
  let faultsInjected = 0;
  let memberships = 0;
  let origin = '';

  const memberCount = (g: JsonObject) => (Array.isArray(g.members) ? g.members.length : 0);

  const logWrite = (method: TargetWrite['method'], kind: Kind, resource: JsonObject) => {
    const entry: TargetWrite = { at: Date.now(), method, kind, id: resource.id as string };
    const userName = str(resource.userName);
    if (kind === 'User' && userName !== undefined) entry.userName = userName;
    writeLog.push(entry);
  };

  const unindex = (kind: Kind, r: JsonObject) => {
    const id = r.id as string;
    if (kind === 'User') {
      const u = str(r.userName)?.toLowerCase();
      if (u !== undefined && store.userNames.get(u) === id) store.userNames.delete(u);
    } else {
      indexDelete(store.groupNames, str(r.displayName)?.toLowerCase(), id);
      memberships -= memberCount(r);
    }
    indexDelete(
      store.externalIds,
      r.externalId === undefined ? undefined : `${kind}:${str(r.externalId)}`,
      id,
    );
  };
  const index = (kind: Kind, r: JsonObject) => {
    const id = r.id as string;
    if (kind === 'User') {
      const u = str(r.userName)?.toLowerCase();
      if (u !== undefined) store.userNames.set(u, id);
    } else {
      indexAdd(store.groupNames, str(r.displayName)?.toLowerCase(), id);
      memberships += memberCount(r);
    }
    if (typeof r.externalId === 'string') indexAdd(store.externalIds, `${kind}:${r.externalId}`, id);
  };

  const mapOf = (kind: Kind) => (kind === 'User' ? store.users : store.groups);

  /** Validates a resource body and fills id, schemas and meta. `previous` on PUT/PATCH. */
  const finish = (kind: Kind, body: JsonObject, id: string, previous: JsonObject | null): JsonObject => {
    const r: JsonObject = { ...body };
    delete r.meta;
    // Attribute names are case-insensitive: store the canonical spelling of the ones indexed and read.
    for (const name of CANONICAL) {
      const key = keyOf(r, name);
      if (key !== name && r[key] !== undefined) {
        r[name] = r[key] as Json;
        delete r[key];
      }
    }
    r.id = id;
    if (!Array.isArray(r.schemas) || r.schemas.length === 0)
      r.schemas = [kind === 'User' ? USER_SCHEMA : GROUP_SCHEMA];
    if (kind === 'User') {
      const userName = str(r[keyOf(r, 'userName')]);
      if (!userName?.trim()) throw new ScimError(400, 'userName is required', 'invalidValue');
      const owner = store.userNames.get(userName.toLowerCase());
      if (owner !== undefined && owner !== id)
        throw new ScimError(409, `userName "${userName}" is already taken`, 'uniqueness');
    } else {
      if (!str(r[keyOf(r, 'displayName')])?.trim())
        throw new ScimError(400, 'displayName is required', 'invalidValue');
      const members = r[keyOf(r, 'members')];
      if (members !== undefined && members !== null) {
        if (!Array.isArray(members)) throw new ScimError(400, 'members must be an array', 'invalidValue');
        for (const m of members) {
          if (!isObject(m) || typeof m.value !== 'string')
            throw new ScimError(400, 'every member needs a string value', 'invalidValue');
          if (!store.users.has(m.value) && !store.groups.has(m.value))
            throw new ScimError(400, `member "${m.value}" does not exist`, 'invalidValue');
        }
      }
    }
    const now = new Date().toISOString();
    const prevMeta = previous && isObject(previous.meta) ? previous.meta : null;
    const version = prevMeta ? Number(/\d+/.exec(str(prevMeta.version) ?? '0')?.[0] ?? 0) + 1 : 1;
    r.meta = {
      resourceType: kind,
      created: prevMeta ? (prevMeta.created ?? now) : now,
      lastModified: now,
      version: `W/"${version}"`,
      location: `${origin}${SCIM_PREFIX}/${kind}s/${id}`,
    };
    return r;
  };

  const store_ = (kind: Kind, r: JsonObject, previous: JsonObject | null) => {
    if (previous) unindex(kind, previous);
    mapOf(kind).set(r.id as string, r);
    index(kind, r);
  };

  const project = (r: JsonObject, url: URL): JsonObject => {
    const attributes = url.searchParams.get('attributes');
    const excluded = url.searchParams.get('excludedAttributes');
    if (!attributes && !excluded) return r;
    const names = (list: string) =>
      new Set(list.split(',').map((a) => splitAttr(a.trim())[0]?.toLowerCase()));
    if (attributes) {
      const keep = names(attributes);
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(r))
        if (keep.has(k.toLowerCase()) || k === 'id' || k === 'schemas' || k === 'meta') out[k] = v;
      return out;
    }
    const drop = names(excluded ?? '');
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(r)) if (!drop.has(k.toLowerCase()) || k === 'id') out[k] = v;
    return out;
  };

  const checkIfMatch = (req: http.IncomingMessage, current: JsonObject) => {
    const wanted = req.headers['if-match'];
    if (!wanted || wanted === '*') return;
    const version = isObject(current.meta) ? current.meta.version : undefined;
    if (wanted !== version) throw new ScimError(412, `version is ${String(version)}, not ${wanted}`);
  };

  const list = (kind: Kind, url: URL) => {
    const map = mapOf(kind);
    const filterText = url.searchParams.get('filter');
    let found: JsonObject[];
    if (filterText) {
      const f = parseFilter(filterText);
      found = [];
      // Indexed look-ups for the searches provisioning engines send: attr eq "value".
      if (f.op === 'cmp' && f.cmp === 'eq' && typeof f.value === 'string') {
        const attr = splitAttr(f.attr).join('.').toLowerCase();
        let ids: Iterable<string> | undefined;
        if (attr === 'id') ids = [f.value];
        else if (attr === 'externalid') ids = store.externalIds.get(`${kind}:${f.value}`) ?? [];
        else if (attr === 'username' && kind === 'User') {
          const id = store.userNames.get(f.value.toLowerCase());
          ids = id === undefined ? [] : [id];
        } else if (attr === 'displayname' && kind === 'Group')
          ids = store.groupNames.get(f.value.toLowerCase()) ?? [];
        if (ids) {
          for (const id of ids) {
            const r = map.get(id);
            if (r) found.push(r);
          }
        } else {
          for (const r of map.values()) if (matches(r, f)) found.push(r);
        }
      } else {
        for (const r of map.values()) if (matches(r, f)) found.push(r);
      }
    } else {
      found = [...map.values()];
    }
    const startIndex = Math.max(1, Math.floor(Number(url.searchParams.get('startIndex') ?? 1)) || 1);
    const rawCount = url.searchParams.get('count');
    const count = Math.min(
      MAX_RESULTS,
      Math.max(0, rawCount === null ? 100 : Math.floor(Number(rawCount)) || 0),
    );
    const page = found.slice(startIndex - 1, startIndex - 1 + count).map((r) => project(r, url));
    return {
      schemas: [LIST_SCHEMA],
      totalResults: found.length,
      itemsPerPage: page.length,
      startIndex,
      Resources: page,
    };
  };

  const scim = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, rest: string) => {
    const method = req.method ?? 'GET';
    const parts = rest.split('/').filter((p) => p !== '');
    const resource = parts[0]?.toLowerCase();
    const kind: Kind | null = resource === 'users' ? 'User' : resource === 'groups' ? 'Group' : null;
    const pathKind = kind
      ? `/${kind}s${parts.length > 1 ? '/:id' : ''}`
      : `/${parts[0] ?? ''}${parts.length > 1 ? '/:id' : ''}`;
    const counterKey = `${method} ${pathKind}`;
    requests.set(counterKey, (requests.get(counterKey) ?? 0) + 1);

    if (fault && fault.left > 0 && Math.random() < (fault.probability ?? 1)) {
      fault.left -= 1;
      faultsInjected += 1;
      const status = fault.status;
      const headers =
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      if (fault.left <= 0) fault = null;
      // The body is not read: drain it so keep-alive can reuse the socket.
      req.resume();
      send(
        res,
        status,
        { schemas: [ERROR_SCHEMA], status: String(status), detail: 'injected fault' },
        headers,
      );
      return;
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      req.resume();
      throw new ScimError(401, 'a valid bearer token is required');
    }
    if (!kind) {
      req.resume();
      if (method !== 'GET') throw new ScimError(405, `${method} is not allowed here`);
      if (resource === 'serviceproviderconfig' && parts.length === 1)
        return send(res, 200, serviceProviderConfig);
      if (resource === 'resourcetypes' && parts.length === 1)
        return send(res, 200, {
          schemas: [LIST_SCHEMA],
          totalResults: resourceTypes.length,
          itemsPerPage: resourceTypes.length,
          startIndex: 1,
          Resources: resourceTypes,
        });
      if (resource === 'schemas' && parts.length === 1) {
        const schemas = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA].map((id) => ({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
          id,
          name: id.split(':').pop() ?? id,
          attributes: [],
        }));
        return send(res, 200, {
          schemas: [LIST_SCHEMA],
          totalResults: schemas.length,
          itemsPerPage: schemas.length,
          startIndex: 1,
          Resources: schemas,
        });
      }
      throw new ScimError(404, `no endpoint ${rest}`);
    }
    const map = mapOf(kind);
    if (parts.length > 2) throw new ScimError(404, `no endpoint ${rest}`);
    const id = parts[1] !== undefined ? decodeURIComponent(parts[1]) : undefined;
    if (id === undefined) {
      if (method === 'GET') {
        req.resume();
        return send(res, 200, list(kind, url));
      }
      if (method === 'POST') {
        const body = await readJson(req);
        const created = finish(kind, body, randomUUID(), null);
        store_(kind, created, null);
        logWrite('POST', kind, created);
        const meta = created.meta as JsonObject;
        return send(res, 201, created, { Location: meta.location as string, ETag: meta.version as string });
      }
      req.resume();
      throw new ScimError(405, `${method} is not allowed on /${kind}s`);
    }
    const current = map.get(id);
    if (method === 'GET') {
      req.resume();
      if (!current) throw new ScimError(404, `${kind} ${id} not found`);
      return send(res, 200, project(current, url), { ETag: (current.meta as JsonObject).version as string });
    }
    if (method === 'DELETE') {
      req.resume();
      if (!current) throw new ScimError(404, `${kind} ${id} not found`);
      checkIfMatch(req, current);
      unindex(kind, current);
      map.delete(id);
      if (kind === 'User') {
        // A deleted user leaves every group it was in.
        for (const g of store.groups.values()) {
          if (!Array.isArray(g.members)) continue;
          const before = g.members.length;
          g.members = g.members.filter((m) => !(isObject(m) && m.value === id));
          memberships -= before - g.members.length;
        }
      }
      logWrite('DELETE', kind, current);
      return send(res, 204);
    }
    if (method === 'PUT' || method === 'PATCH') {
      const body = await readJson(req);
      if (!current) throw new ScimError(404, `${kind} ${id} not found`);
      checkIfMatch(req, current);
      let next: JsonObject;
      if (method === 'PUT') {
        next = finish(kind, body, id, current);
      } else {
        const schemas = body.schemas;
        if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA))
          throw new ScimError(400, `a PATCH body has schemas [${PATCH_SCHEMA}]`, 'invalidSyntax');
        const ops = body[keyOf(body, 'Operations')];
        if (!Array.isArray(ops) || ops.length === 0)
          throw new ScimError(400, 'Operations must be a non-empty array', 'invalidSyntax');
        const working = clone(current);
        for (const op of ops) {
          if (!isObject(op) || typeof op.op !== 'string')
            throw new ScimError(400, 'every operation needs an op', 'invalidSyntax');
          const path = op.path === undefined || op.path === null ? undefined : String(op.path);
          applyOperation(working, op.op, path, op.value ?? null);
        }
        if (working.id !== id) throw new ScimError(400, 'id is read-only', 'mutability');
        next = finish(kind, working, id, current);
      }
      store_(kind, next, current);
      logWrite(method, kind, next);
      const meta = next.meta as JsonObject;
      return send(res, 200, project(next, url), { ETag: meta.version as string });
    }
    req.resume();
    throw new ScimError(405, `${method} is not allowed on /${kind}s/{id}`);
  };

  const stats = (): TargetStats => {
    let activeUsers = 0;
    for (const u of store.users.values()) if (u.active !== false) activeUsers++;
    return {
      requests: Object.fromEntries([...requests].sort(([a], [b]) => a.localeCompare(b))),
      objects: store.users.size + store.groups.size,
      users: store.users.size,
      activeUsers,
      groups: store.groups.size,
      memberships,
      writes: writeLog.length,
      faultsInjected,
    };
  };
  const writes = (since = 0): TargetWrite[] => {
    // The log is in time order: binary-search the first entry at or after `since`.
    let lo = 0;
    let hi = writeLog.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((writeLog[mid] as TargetWrite).at < since) lo = mid + 1;
      else hi = mid;
    }
    return writeLog.slice(lo);
  };
  const dump = () => ({ users: [...store.users.values()], groups: [...store.groups.values()] });
  const setFault = (rule: FaultRule | null) => {
    if (rule === null || rule.count === 0) {
      fault = null;
      return;
    }
    fault = { ...rule, left: rule.count ?? Number.POSITIVE_INFINITY };
  };
  const reset = () => {
    store = emptyStore();
    requests = new Map();
    writeLog = [];
    fault = null;
    faultsInjected = 0;
    memberships = 0;
  };

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, what: string) => {
    const method = req.method ?? 'GET';
    if (method === 'GET' && what === 'stats') return send(res, 200, stats());
    if (method === 'GET' && what === 'writes') {
      const since = Number(url.searchParams.get('since') ?? 0);
      return send(res, 200, writes(Number.isFinite(since) ? since : 0));
    }
    if (method === 'GET' && what === 'dump') return send(res, 200, dump());
    if (method === 'POST' && what === 'reset') {
      req.resume();
      reset();
      return send(res, 204);
    }
    if (method === 'DELETE' && what === 'faults') {
      setFault(null);
      return send(res, 204);
    }
    if (method === 'POST' && what === 'faults') {
      const body = await readJson(req);
      const status = body.status;
      if (status !== 429 && status !== 500 && status !== 503)
        throw new ScimError(400, 'status must be 429, 500 or 503');
      const rule: FaultRule = { status };
      const { retryAfterSeconds, probability, count } = body;
      if (retryAfterSeconds !== undefined) {
        if (typeof retryAfterSeconds !== 'number' || retryAfterSeconds < 0)
          throw new ScimError(400, 'retryAfterSeconds must be a number >= 0');
        rule.retryAfterSeconds = retryAfterSeconds;
      }
      if (probability !== undefined) {
        if (typeof probability !== 'number' || probability < 0 || probability > 1)
          throw new ScimError(400, 'probability must be between 0 and 1');
        rule.probability = probability;
      }
      if (count !== undefined) {
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
          throw new ScimError(400, 'count must be an integer >= 0');
        rule.count = count;
      }
      setFault(rule);
      return send(res, 204);
    }
    req.resume();
    throw new ScimError(404, `no control endpoint ${method} ${what}`);
  };

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://target');
    const path = url.pathname;
    let handled: Promise<void>;
    if (path.startsWith('/_control/')) handled = control(req, res, url, path.slice('/_control/'.length));
    else if (path === SCIM_PREFIX || path.startsWith(`${SCIM_PREFIX}/`))
      handled = scim(req, res, url, path.slice(SCIM_PREFIX.length));
    else {
      req.resume();
      handled = Promise.reject(new ScimError(404, `no endpoint ${path}`));
    }
    handled.catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ScimError) scimError(res, error.status, error.message, error.scimType);
      else scimError(res, 500, error instanceof Error ? error.message : String(error));
    });
  });
  // Longer than any client's idle keep-alive, so the client closes first (no reset on reuse).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${SCIM_PREFIX}`,
    origin,
    port,
    stats,
    writes,
    dump,
    setFault,
    reset,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections();
      }),
  };
}

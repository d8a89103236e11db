import { setTimeout as delay } from 'node:timers/promises';
import { systemClock } from '../../core/index.ts';
import type {
  AttributeChange,
  Capabilities,
  Connector,
  ConnectorDeps,
  ConnectorFailure,
  ConnectorResult,
  ListPage,
  ObjectKind,
  TargetAttributes,
  TargetObject,
} from '../../outbound/index.ts';
import { connectorFail, connectorOk } from '../../outbound/index.ts';
import { parsePath } from './attribute-path.ts';
import { createCredentials } from './auth.ts';
import type { ScimConnectorConfig } from './config.ts';
import {
  featureNotes,
  probedFeatures,
  readGroupSupport,
  readServiceProviderConfig,
  type TargetFeatures,
} from './discovery.ts';
import { scimTypes } from './errors.ts';
import { equalityFilter } from './filter.ts';
import type { HttpAnswer, HttpSettings } from './http-client.ts';
import {
  addMembersOperation,
  attributeOperations,
  chunks,
  informedOperations,
  MEMBER_CHUNK,
  type PatchOperation,
  parseChange,
  patchMessage,
  removeMemberOperations,
} from './patch-ops.ts';
import {
  applyAttributes,
  buildResource,
  forReplace,
  isObject,
  type JsonObject,
  memberIds,
  toTargetObject,
  withSchemas,
} from './resource-shape.ts';
import { createScimClient } from './scim-client.ts';

const endpoint = (kind: ObjectKind) => (kind === 'user' ? '/Users' : '/Groups');
const resourcePath = (kind: ObjectKind, id: string) => `${endpoint(kind)}/${encodeURIComponent(id)}`;
const isNoTarget = (f: ConnectorFailure) =>
  f.status === 400 && scimTypes.get(f)?.toLowerCase() === 'notarget';
const done = connectorOk(undefined);
/** Attempts of one GET + PUT when the target's ETag says someone else wrote in between. */
const REPLACE_ATTEMPTS = 3;

export function createScimConnector(config: ScimConnectorConfig, deps: ConnectorDeps): Connector {
  const closed = new AbortController();
  const settings: HttpSettings = {
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    maxRetryAfterMs: config.maxRetryAfterMs,
    sleep: deps.sleep ?? ((ms) => delay(ms)),
    random: Math.random,
    now: () => systemClock.now().getTime(),
    closed: closed.signal,
    logger: deps.logger,
  };
  const scim = createScimClient(
    config.baseUrl,
    config.headers ?? {},
    settings,
    createCredentials(config.auth, settings),
  );
  const extensions = config.userSchemaExtensions ?? [];

  // Discovery runs once, on connect() or on the first call that needs it; a failed one is retried.
  let discovered: Promise<ConnectorResult<TargetFeatures>> | null = null;
  const features = () => {
    discovered ??= discover().then((r) => {
      if (!r.ok) discovered = null;
      return r;
    });
    return discovered;
  };

  async function discover(): Promise<ConnectorResult<TargetFeatures>> {
    const spc = await scim({ method: 'GET', path: '/ServiceProviderConfig' });
    let base: Omit<TargetFeatures, 'groups'>;
    if (spc.ok) base = readServiceProviderConfig(spc.value.json);
    else if (['not_found', 'unsupported', 'invalid'].includes(spc.failure.code)) {
      // No document: one cheap list request proves the base URL and the credentials instead.
      const probe = await scim({ method: 'GET', path: '/Users', query: { count: 1 } });
      if (!probe.ok) return probe;
      base = probedFeatures;
    } else return spc;
    const types = await scim({ method: 'GET', path: '/ResourceTypes' });
    const groups = types.ok ? (readGroupSupport(types.value.json) ?? true) : true;
    return connectorOk({ ...base, groups });
  }

  async function updateMethod(): Promise<ConnectorResult<'patch' | 'put'>> {
    if (config.updateMethod !== 'auto') return connectorOk(config.updateMethod);
    const f = await features();
    return f.ok ? connectorOk(f.value.patch ? 'patch' : 'put') : f;
  }

  /** A write's answer as the object; targets that answer 204 (or without the resource) are read back. */
  async function objectFrom(kind: ObjectKind, id: string, answer: HttpAnswer, where: string) {
    if (isObject(answer.json) && typeof answer.json.id === 'string')
      return toTargetObject(kind, answer.json, where);
    return read(kind, id);
  }

  async function read(kind: ObjectKind, id: string): Promise<ConnectorResult<TargetObject>> {
    const got = await scim({ method: 'GET', path: resourcePath(kind, id) });
    return got.ok ? toTargetObject(kind, got.value.json, `GET ${endpoint(kind)}`) : got;
  }

  async function patch(kind: ObjectKind, id: string, ops: PatchOperation[]) {
    return scim({ method: 'PATCH', path: resourcePath(kind, id), body: patchMessage(ops) });
  }

  /**
   * GET + PUT for targets without PATCH (RFC 7644 §3.5.1): the fetched resource is the starting point,
   * so attributes no mapping manages (and group members, on attribute updates) survive. With ETags the
   * PUT carries If-Match, and a 412 (someone wrote in between) starts over from a fresh GET.
   */
  async function replace(
    kind: ObjectKind,
    id: string,
    mutate: (doc: JsonObject) => ConnectorResult<void>,
  ): Promise<ConnectorResult<HttpAnswer>> {
    const f = await features();
    if (!f.ok) return f;
    let last: ConnectorResult<HttpAnswer> | null = null;
    for (let attempt = 0; attempt < REPLACE_ATTEMPTS; attempt += 1) {
      const got = await scim({ method: 'GET', path: resourcePath(kind, id) });
      if (!got.ok) return got;
      if (!isObject(got.value.json))
        return connectorFail({
          code: 'server',
          message: `GET ${endpoint(kind)}: not a resource`,
          retryable: false,
        });
      const doc = forReplace(got.value.json);
      const mutated = mutate(doc);
      if (!mutated.ok) return mutated;
      const etag = got.value.headers.get('etag');
      const headers: Record<string, string> = etag && f.value.etag ? { 'If-Match': etag } : {};
      const body = withSchemas(doc, kind, kind === 'user' ? extensions : []);
      last = await scim({ method: 'PUT', path: resourcePath(kind, id), body, headers });
      if (last.ok || last.failure.status !== 412) return last;
    }
    return last ?? connectorFail({ code: 'server', message: 'PUT not attempted', retryable: true });
  }

  async function setMembers(groupId: string, change: (current: string[]) => string[]) {
    return replace('group', groupId, (doc) => {
      const next = change(memberIds(doc));
      const key = Object.keys(doc).find((k) => k.toLowerCase() === 'members') ?? 'members';
      doc[key] = next.map((value) => ({ value }));
      return done;
    });
  }

  const connector: Connector = {
    type: 'scim',

    async connect(): Promise<ConnectorResult<Capabilities>> {
      discovered = null;
      const f = await features();
      if (!f.ok) return f;
      // /ServiceProviderConfig may be served without authentication (RFC 7644 §4): prove the credentials.
      if (f.value.source === 'ServiceProviderConfig') {
        const probe = await scim({ method: 'GET', path: '/Users', query: { startIndex: 1, count: 1 } });
        if (!probe.ok) return probe;
      }
      const method = await updateMethod();
      if (!method.ok) return method;
      return connectorOk({
        users: true,
        groups: f.value.groups,
        disable: true,
        delete: true,
        find: f.value.filter,
        list: true,
        notes: featureNotes(f.value, method.value),
      });
    },

    async create(kind, attributes, members) {
      // A group's first members travel with the POST; the rest follow in PATCH-sized chunks.
      const first = members?.slice(0, MEMBER_CHUNK);
      const body = buildResource(kind, attributes, first, extensions);
      if (!body.ok) return body;
      const created = await scim({ method: 'POST', path: endpoint(kind), body: body.value });
      if (!created.ok) return created;
      const object = toTargetObject(kind, created.value.json, `POST ${endpoint(kind)}`);
      if (!object.ok || kind !== 'group' || !members || members.length <= MEMBER_CHUNK) return object;
      const added = await connector.addMembers(object.value.id, members.slice(MEMBER_CHUNK));
      return added.ok ? read('group', object.value.id) : added;
    },

    async get(kind, id) {
      const got = await read(kind, id);
      if (!got.ok && got.failure.code === 'not_found') return connectorOk(null);
      return got;
    },

    async find(kind, attribute, value) {
      const f = await features();
      if (!f.ok) return f;
      if (!f.value.filter)
        return connectorFail({
          code: 'unsupported',
          message: 'the target does not support filtering (ServiceProviderConfig filter.supported false)',
          retryable: false,
        });
      const p = parsePath(attribute, extensions);
      if (!p.ok) return p;
      const filter = equalityFilter(p.value, value);
      // Two are enough to tell "one" from "several".
      const found = await scim({
        method: 'GET',
        path: endpoint(kind),
        query: { filter, startIndex: 1, count: 2 },
      });
      if (!found.ok) return found.failure.code === 'not_found' ? connectorOk(null) : found;
      const body = isObject(found.value.json) ? found.value.json : {};
      const resources = Array.isArray(body.Resources) ? body.Resources : [];
      const total = typeof body.totalResults === 'number' ? body.totalResults : resources.length;
      if (total > 1 || resources.length > 1)
        return connectorFail({
          code: 'conflict',
          message: `${Math.max(total, resources.length)} ${kind}s match ${filter}`,
          retryable: false,
        });
      if (resources.length === 0) return connectorOk(null);
      return toTargetObject(kind, resources[0], `GET ${endpoint(kind)}`);
    },

    async update(kind, id, change: AttributeChange, desired: TargetAttributes) {
      const method = await updateMethod();
      if (!method.ok) return method;
      if (method.value === 'put') {
        const attrs: TargetAttributes = { ...desired, ...change.set };
        for (const path of change.remove) attrs[path] = null;
        const put = await replace(kind, id, (doc) => applyAttributes(doc, attrs, extensions));
        return put.ok ? objectFrom(kind, id, put.value, `PUT ${endpoint(kind)}`) : put;
      }
      const parsed = parseChange(change, extensions);
      if (!parsed.ok) return parsed;
      const ops = attributeOperations(parsed.value);
      if (ops.length === 0) return read(kind, id);
      let patched = await patch(kind, id, ops);
      if (!patched.ok && isNoTarget(patched.failure)) {
        // A filter matched nothing and the target will not create the element: look, then write exactly.
        const got = await scim({ method: 'GET', path: resourcePath(kind, id) });
        if (!got.ok) return got;
        const informed = informedOperations(parsed.value, isObject(got.value.json) ? got.value.json : {});
        if (informed.length === 0) return toTargetObject(kind, got.value.json, `GET ${endpoint(kind)}`);
        patched = await patch(kind, id, informed);
      }
      return patched.ok ? objectFrom(kind, id, patched.value, `PATCH ${endpoint(kind)}`) : patched;
    },

    async disable(kind, id) {
      const method = await updateMethod();
      if (!method.ok) return method;
      const result =
        method.value === 'patch'
          ? await patch(kind, id, [{ op: 'replace', path: 'active', value: false }])
          : await replace(kind, id, (doc) => applyAttributes(doc, { active: false }, extensions));
      return result.ok ? done : result;
    },

    async delete(kind, id) {
      const deleted = await scim({ method: 'DELETE', path: resourcePath(kind, id) });
      if (deleted.ok || deleted.failure.code === 'not_found') return done;
      return deleted;
    },

    async list(kind, cursor): Promise<ConnectorResult<ListPage>> {
      const startIndex = cursor === null ? 1 : Number(cursor);
      if (!Number.isInteger(startIndex) || startIndex < 1)
        return connectorFail({
          code: 'invalid',
          message: `list cursor "${cursor}" is not a startIndex`,
          retryable: false,
        });
      const f = await features();
      if (!f.ok) return f;
      const count = Math.min(config.pageSize, f.value.maxResults ?? Number.POSITIVE_INFINITY);
      const page = await scim({ method: 'GET', path: endpoint(kind), query: { startIndex, count } });
      if (!page.ok) return page;
      const body = isObject(page.value.json) ? page.value.json : {};
      const resources = Array.isArray(body.Resources) ? body.Resources : [];
      const objects: TargetObject[] = [];
      for (const resource of resources) {
        const object = toTargetObject(kind, resource, `GET ${endpoint(kind)}`);
        if (!object.ok) return object;
        objects.push(object.value);
      }
      const nextIndex = startIndex + resources.length;
      const total = typeof body.totalResults === 'number' ? body.totalResults : null;
      // Without totalResults, a short page is the last one.
      const more = resources.length > 0 && (total === null ? resources.length >= count : nextIndex <= total);
      return connectorOk({ objects, next: more ? String(nextIndex) : null });
    },

    async count(kind) {
      const page = await scim({ method: 'GET', path: endpoint(kind), query: { startIndex: 1, count: 0 } });
      if (!page.ok) return page;
      const body = isObject(page.value.json) ? page.value.json : {};
      return connectorOk(typeof body.totalResults === 'number' ? body.totalResults : null);
    },

    async addMembers(groupId, memberIdsToAdd) {
      if (memberIdsToAdd.length === 0) return done;
      const method = await updateMethod();
      if (!method.ok) return method;
      if (method.value === 'put') {
        const put = await setMembers(groupId, (current) => [...new Set([...current, ...memberIdsToAdd])]);
        return put.ok ? done : put;
      }
      // SCIMMY and some others store a member twice when asked twice; at least one call never repeats.
      for (const chunk of chunks([...new Set(memberIdsToAdd)])) {
        const patched = await patch('group', groupId, [addMembersOperation(chunk)]);
        if (!patched.ok) return patched;
      }
      return done;
    },

    async removeMembers(groupId, memberIdsToRemove) {
      if (memberIdsToRemove.length === 0) return done;
      const method = await updateMethod();
      if (!method.ok) return method;
      if (method.value === 'put') {
        const gone = new Set(memberIdsToRemove);
        const put = await setMembers(groupId, (current) => current.filter((m) => !gone.has(m)));
        return put.ok ? done : put;
      }
      for (const chunk of chunks([...new Set(memberIdsToRemove)])) {
        const patched = await patch('group', groupId, removeMemberOperations(chunk));
        if (patched.ok) continue;
        if (!isNoTarget(patched.failure)) return patched;
        // A target that answers noTarget for an absent member: remove only those still present.
        const group = await read('group', groupId);
        if (!group.ok) return group;
        const present = new Set(group.value.members ?? []);
        const still = chunk.filter((m) => present.has(m));
        if (still.length === 0) continue;
        const retried = await patch('group', groupId, removeMemberOperations(still));
        if (!retried.ok) return retried;
      }
      return done;
    },

    async close() {
      closed.abort();
    },
  };
  return connector;
}

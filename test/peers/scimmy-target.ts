/**
 * A third-party SCIM 2.0 service provider for connector tests: SCIMMY 1.3.5 resources behind
 * scimmy-routers 1.3.2 on express 4, storing users and groups in memory, bearer auth, on 127.0.0.1.
 *
 * SCIMMY's resource handlers are process-wide (static), so they are declared once and find their
 * target's storage through the per-request context; several targets can run in one test file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

type Stored = Record<string, unknown> & { id: string };

interface Store {
  users: Map<string, Stored>;
  groups: Map<string, Stored>;
}

export interface ScimmyTarget {
  /** Base URL of the SCIM endpoints, e.g. `http://127.0.0.1:40123/scim/v2`. */
  url: string;
  token: string;
  close(): Promise<void>;
  users(): Promise<Record<string, unknown>[]>;
  groups(): Promise<Record<string, unknown>[]>;
}

export interface ScimmyTargetOptions {
  /** Advertise (and allow) PATCH; SCIMMY applies it either way, so this only changes discovery. */
  patch?: boolean;
  /** `filter.maxResults` in /ServiceProviderConfig. */
  maxResults?: number;
}

/** SCIMMY takes a null scimType for "none" although its typings say string. */
const scimError = (status: number, scimType: string | null, message: string) =>
  new SCIMMY.Types.Error(status, scimType as string, message);

const isStore = (ctx: unknown): ctx is Store =>
  typeof ctx === 'object' && ctx !== null && 'users' in ctx && 'groups' in ctx;

function storeOf(ctx: unknown): Store {
  if (!isStore(ctx)) throw scimError(500, null, 'no store in context');
  return ctx;
}

/** A SCIMMY schema instance as plain JSON (its getters and proxies dropped). */
const plain = (instance: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(instance));

type Filterable = { id?: string; filter?: { match(values: unknown[]): unknown[] } };

function egress(map: (s: Store) => Map<string, Stored>, what: string) {
  return (resource: Filterable, ctx: unknown) => {
    const items = map(storeOf(ctx));
    if (resource.id) {
      const found = items.get(resource.id);
      if (!found) throw scimError(404, null, `${what} ${resource.id} not found`);
      return found;
    }
    const all = [...items.values()];
    return resource.filter ? (resource.filter.match(all) as Stored[]) : all;
  };
}

function ingress(map: (s: Store) => Map<string, Stored>, what: string, unique: string) {
  return (resource: Filterable, instance: unknown, ctx: unknown) => {
    const items = map(storeOf(ctx));
    if (resource.id && !items.has(resource.id))
      throw scimError(404, null, `${what} ${resource.id} not found`);
    const data = plain(instance);
    const key = String(data[unique] ?? '').toLowerCase();
    for (const other of items.values())
      if (other.id !== resource.id && String(other[unique] ?? '').toLowerCase() === key)
        throw scimError(409, 'uniqueness', `${unique} ${String(data[unique])} is already taken`);
    const id = resource.id ?? randomUUID();
    const stored: Stored = { ...data, id };
    delete stored.meta;
    delete stored.schemas;
    items.set(id, stored);
    return stored;
  };
}

function degress(map: (s: Store) => Map<string, Stored>, what: string) {
  return (resource: Filterable, ctx: unknown) => {
    const items = map(storeOf(ctx));
    if (!resource.id || !items.delete(resource.id))
      throw scimError(404, null, `${what} ${resource.id} not found`);
  };
}

let declared = false;
function declareOnce() {
  if (declared) return;
  declared = true;
  // The handlers take and give plain JSON; SCIMMY's typings want its schema classes, hence the casts.
  type UserIn = Parameters<typeof SCIMMY.Resources.User.ingress>[0];
  type UserOut = Parameters<typeof SCIMMY.Resources.User.egress>[0];
  type GroupIn = Parameters<typeof SCIMMY.Resources.Group.ingress>[0];
  type GroupOut = Parameters<typeof SCIMMY.Resources.Group.egress>[0];
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
    .ingress(ingress((s) => s.users, 'User', 'userName') as unknown as UserIn)
    .egress(egress((s) => s.users, 'User') as unknown as UserOut)
    .degress(degress((s) => s.users, 'User'));
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress(ingress((s) => s.groups, 'Group', 'displayName') as unknown as GroupIn)
    .egress(egress((s) => s.groups, 'Group') as unknown as GroupOut)
    .degress(degress((s) => s.groups, 'Group'));
}

export async function startScimmyTarget(options: ScimmyTargetOptions = {}): Promise<ScimmyTarget> {
  declareOnce();
  const store: Store = { users: new Map(), groups: new Map() };
  const token = randomBytes(24).toString('base64url');
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => {
        if (req.header('Authorization') !== `Bearer ${token}`) throw new Error('Authorization failed');
        return 'admin';
      },
      context: () => store,
    }),
  );
  // SCIMMY.Config is process-wide, and the router constructor resets it (patch, bulk, filter on), so it
  // is set afterwards; the last target started decides what every target's discovery reports.
  SCIMMY.Config.set({ patch: options.patch ?? true, filter: options.maxResults ?? 200, sort: true });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    token,
    users: async () => [...store.users.values()].map((u) => structuredClone(u)),
    groups: async () => [...store.groups.values()].map((g) => structuredClone(g)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

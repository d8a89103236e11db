import { expect } from 'vitest';
import { createTestApp, type TestApp } from './app.ts';

export interface ScimReply {
  status: number;
  body: Record<string, unknown> & { Resources?: Array<Record<string, unknown>> };
  headers: Headers;
}

export interface ScimTestClient {
  t: TestApp;
  token: string;
  /** A SCIM request under /scim/v2 with the scim-scoped token and application/scim+json. */
  scim(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  /** POSTs a user named `<prefix>.<n>.<time>@<domain>` (plus `extra`) and expects 201. */
  newUser(
    prefix: string,
    domain: string,
    extra?: Record<string, unknown>,
  ): Promise<ScimResource & { userName: string }>;
  /** POSTs a group with these members and expects 201. */
  newGroup(
    members: Array<{ id: string }>,
    displayName: string,
  ): Promise<ScimResource & { displayName: string }>;
  close(): Promise<void>;
}

export type ScimResource = Record<string, unknown> & { id: string };

let seq = 0;
/** A name no other call in this test run returns. */
export const uniqueName = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}`;

/** The app on a private database plus a SCIM caller, as an identity provider would talk to it. */
export async function createScimClient(
  options: Parameters<typeof createTestApp>[0] = {},
): Promise<ScimTestClient> {
  const t = await createTestApp(options);
  const token = await t.token(['scim']);
  const scim: ScimTestClient['scim'] = async (method, path, body, headers = {}) => {
    const res = await t.call(method, `/scim/v2${path}`, {
      token,
      body,
      headers: body === undefined ? headers : { 'Content-Type': 'application/scim+json', ...headers },
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as ScimReply['body']) : {},
      headers: res.headers,
    };
  };
  return {
    t,
    token,
    scim,
    async newUser(prefix, domain, extra = {}) {
      const res = await scim('POST', '/Users', {
        schemas: [CORE_USER],
        userName: `${uniqueName(prefix)}@${domain}`,
        ...extra,
      });
      expect(res.status).toBe(201);
      return res.body as ScimResource & { userName: string };
    },
    async newGroup(members, displayName) {
      const res = await scim('POST', '/Groups', {
        schemas: [CORE_GROUP],
        displayName,
        members: members.map((m) => ({ value: m.id })),
      });
      expect(res.status).toBe(201);
      return res.body as ScimResource & { displayName: string };
    },
    close: () => t.close(),
  };
}

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function patch(...Operations: Array<Record<string, unknown>>) {
  return { schemas: [PATCH_OP], Operations };
}

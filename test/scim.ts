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
  close(): Promise<void>;
}

/** The app on a private database plus a SCIM caller, as an identity provider would talk to it. */
export async function createScimClient(
  options: Parameters<typeof createTestApp>[0] = {},
): Promise<ScimTestClient> {
  const t = await createTestApp(options);
  const token = await t.token(['scim']);
  return {
    t,
    token,
    async scim(method, path, body, headers = {}) {
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
    },
    close: () => t.close(),
  };
}

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function patch(...Operations: Array<Record<string, unknown>>) {
  return { schemas: [PATCH_OP], Operations };
}

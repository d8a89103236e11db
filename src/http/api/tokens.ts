import { z } from 'zod';
import { createToken, listTokens, revokeToken, scopes, type TokenDeps } from '../../auth/index.ts';
import { errorResponse } from '../errors.ts';
import { idParams, json, type RouteRegistry } from '../routes.ts';
import { tokenSchema } from './schemas.ts';

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(scopes)).min(1),
});

export function tokenRoutes(api: RouteRegistry, deps: TokenDeps): void {
  api.add({
    method: 'get',
    path: '/tokens',
    tag: 'tokens',
    summary: 'List API tokens (never their secrets)',
    scope: 'admin',
    responses: { 200: { description: 'Tokens', schema: z.object({ items: z.array(tokenSchema) }) } },
    handler: async ({ c }) => json(c, { items: await listTokens(deps) }),
  });
  api.add({
    method: 'post',
    path: '/tokens',
    tag: 'tokens',
    summary: 'Create an API token; the secret is in this response only',
    scope: 'admin',
    body: createBody,
    responses: {
      201: { description: 'Created', schema: z.object({ token: z.string(), info: tokenSchema }) },
    },
    handler: async ({ body, ctx, c }) => json(c, await createToken(deps, ctx, body), 201),
  });
  api.add({
    method: 'delete',
    path: '/tokens/:id',
    tag: 'tokens',
    summary: 'Revoke an API token',
    scope: 'admin',
    params: idParams,
    responses: { 200: { description: 'Revoked', schema: tokenSchema } },
    handler: async ({ params, ctx, c }) => {
      const result = await revokeToken(deps, ctx, params.id);
      return result.ok ? json(c, result.value) : errorResponse(c, result.error);
    },
  });
}

import { Hono } from 'hono';
import type { Activation } from '../activation/index.ts';
import type { TokenDeps } from '../auth/index.ts';
import { failure, type Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Directory } from '../directory/index.ts';
import type { Inbound } from '../inbound/index.ts';
import type { Notifications } from '../notifications/index.ts';
import type { Metrics } from '../ops/index.ts';
import type { Outbound } from '../outbound/index.ts';
import type { Workflows } from '../workflows/index.ts';
import { plainAddress } from './activation/client.ts';
import { mountActivationPage } from './activation/page.ts';
import { activationRoutes, mountActivationApi } from './api/activation.ts';
import { auditRoutes } from './api/audit.ts';
import { groupRoutes } from './api/groups.ts';
import { inboundRoutes, mountGraphBulkUpload } from './api/inbound.ts';
import { notificationRoutes } from './api/notifications.ts';
import { outboundRoutes } from './api/outbound.ts';
import { scimSchemaRoutes } from './api/scim-schemas.ts';
import { tokenRoutes } from './api/tokens.ts';
import { userRoutes } from './api/users.ts';
import { mountWorkflowCallbacks, workflowRoutes } from './api/workflows.ts';
import type { HttpEnv } from './env.ts';
import { errorResponse } from './errors.ts';
import { requestScope, requireScope } from './middleware.ts';
import { buildOpenApi } from './openapi.ts';
import { opsRoutes, type ReadinessCheck } from './ops-routes.ts';
import { RouteRegistry } from './routes.ts';
import type { ScimDeps } from './scim/context.ts';
import { mountScim } from './scim/router.ts';

export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  db: Db;
  directory: Directory;
  inbound: Inbound;
  outbound: Outbound;
  /** Largest inbound bulkUpload or CSV body. */
  inboundMaxPayloadBytes: number;
  tokens: TokenDeps;
  readiness: () => Promise<ReadinessCheck>;
  version: string;
  scim: ScimDeps;
  activation: Activation;
  workflows: Workflows;
  notifications: Notifications;
  /** Reverse proxies whose X-Forwarded-For is believed (the activation lockout per client). */
  trustedProxies: readonly string[];
}

export function createHttpApp(deps: HttpDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  app.use('*', requestScope(deps.logger, deps.metrics));
  const trustedProxies: ReadonlySet<string> = new Set(deps.trustedProxies.map(plainAddress));
  app.use('*', async (c, next) => {
    c.set('trustedProxies', trustedProxies);
    await next();
  });
  opsRoutes(app, deps.metrics, deps.readiness);

  const api = new RouteRegistry();
  userRoutes(api, deps.directory);
  groupRoutes(api, deps.directory);
  auditRoutes(api, deps.db);
  tokenRoutes(api, deps.tokens);
  scimSchemaRoutes(api, deps.scim);
  inboundRoutes(api, deps.inbound, { maxPayloadBytes: deps.inboundMaxPayloadBytes });
  outboundRoutes(api, deps.outbound);
  activationRoutes(api, deps.activation);
  workflowRoutes(api, deps.workflows);
  notificationRoutes(api, deps.notifications);
  const v1 = new Hono<HttpEnv>();
  api.mount(v1, requireScope(deps.tokens));
  const openapi = buildOpenApi(api, { version: deps.version });
  v1.get('/openapi.json', (c) => c.json(openapi));
  // Public (the URL is the secret), so it is mounted beside the token-checked API, not inside it.
  mountWorkflowCallbacks(app, deps.workflows);
  app.route('/api/v1', v1);
  mountActivationApi(app, deps.activation);
  mountActivationPage(app, deps.activation);
  mountScim(app, deps.scim, deps.tokens);
  mountGraphBulkUpload(app, deps.inbound, requireScope(deps.tokens), {
    maxPayloadBytes: deps.inboundMaxPayloadBytes,
  });

  app.notFound((c) =>
    errorResponse(c, failure('request.not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    // Unexpected: log with the request id; the client gets the id to quote, never internals.
    c.get('log')?.error({ err: error }, 'unhandled error');
    return errorResponse(c, failure('internal', 'internal error', { requestId: c.get('requestId') }));
  });
  return app;
}

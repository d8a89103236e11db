import type { Principal } from '../auth/index.ts';
import type { Logger, RequestContext } from '../core/index.ts';

/** Per-request values the middlewares put on the Hono context. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal;
    requestContext: RequestContext;
    /** JOINERY_TRUSTED_PROXIES, normalised (see activation/client.ts). */
    trustedProxies: ReadonlySet<string>;
  };
}

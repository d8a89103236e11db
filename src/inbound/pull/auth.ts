import type { PullAuth } from './config.ts';
import { pullError, redactUrl } from './errors.ts';
import { type Authenticator, type HttpContext, noAuth, requestJson } from './http.ts';

type OAuth2 = Extract<PullAuth, { type: 'oauth2' }>;

interface CachedToken {
  value: string;
  /** Epoch ms after which the token is treated as expired; Infinity when the server gave no lifetime. */
  expiresAt: number;
}

/** Credentials for one pull run. The OAuth2 token lives as long as the authenticator (one run). */
export function createAuthenticator(auth: PullAuth, ctx: HttpContext): Authenticator {
  switch (auth.type) {
    case 'none':
      return noAuth;
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return {
        headers: async () => ({ authorization: `Basic ${encoded}` }),
        refresh: async () => false,
        secrets: () => [auth.password, encoded],
      };
    }
    case 'bearer':
      return {
        headers: async () => ({ authorization: `Bearer ${auth.token}` }),
        refresh: async () => false,
        secrets: () => [auth.token],
      };
    case 'oauth2':
      return oauth2Authenticator(auth, ctx);
  }
}

function oauth2Authenticator(auth: OAuth2, ctx: HttpContext): Authenticator {
  let cached: CachedToken | null = null;
  let pending: Promise<CachedToken> | null = null;
  const basic = Buffer.from(
    `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`,
    'utf8',
  ).toString('base64');
  const secrets = () => [auth.clientSecret, basic, ...(cached ? [cached.value] : [])];

  const obtain = (): Promise<CachedToken> => {
    pending ??= fetchToken(auth, basic, ctx, secrets).finally(() => {
      pending = null;
    });
    return pending;
  };

  return {
    headers: async () => {
      if (!cached || ctx.now().getTime() >= cached.expiresAt) cached = await obtain();
      return { authorization: `Bearer ${cached.value}` };
    },
    refresh: async () => {
      cached = await obtain();
      return true;
    },
    secrets,
  };
}

/** OAuth 2.0 client credentials grant (RFC 6749 §4.4). */
async function fetchToken(
  auth: OAuth2,
  basic: string,
  ctx: HttpContext,
  secrets: () => string[],
): Promise<CachedToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (auth.clientAuth === 'post') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  } else {
    // RFC 6749 §2.3.1 form-encodes id and secret before the Basic encoding.
    headers.authorization = `Basic ${basic}`;
  }
  const issuedAt = ctx.now().getTime();
  const tokenSecrets: Authenticator = { ...noAuth, secrets };
  const response = await requestJson(
    { url: auth.tokenUrl, method: 'POST', headers, body: form.toString() },
    ctx,
    tokenSecrets,
  );
  const body = response.body;
  const where = `OAuth2 token response from ${redactUrl(auth.tokenUrl)}`;
  if (typeof body !== 'object' || body === null) throw pullError(`${where} is not an object`, false);
  const { access_token: token, token_type: type, expires_in: expiresIn } = body as Record<string, unknown>;
  if (typeof token !== 'string' || token === '')
    throw pullError(`${where} has no access_token`, false, { url: redactUrl(auth.tokenUrl) });
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer'))
    throw pullError(`${where} has token_type ${String(type)}; only Bearer is supported`, false);
  const lifetimeS = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof lifetimeS !== 'number' || !Number.isFinite(lifetimeS) || lifetimeS <= 0)
    return { value: token, expiresAt: Number.POSITIVE_INFINITY };
  // Renew a little early so a token does not expire between the check and the server reading it.
  const margin = Math.min(60, lifetimeS / 10);
  return { value: token, expiresAt: issuedAt + (lifetimeS - margin) * 1000 };
}

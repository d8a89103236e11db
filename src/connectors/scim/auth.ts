import type { ConnectorResult } from '../../outbound/index.ts';
import { connectorFail, connectorOk } from '../../outbound/index.ts';
import type { ScimAuth } from './config.ts';
import { type Credentials, exchange, type HttpSettings } from './http-client.ts';

type OAuth2 = Extract<ScimAuth, { type: 'oauth2' }>;

interface CachedToken {
  header: string;
  value: string;
  /** Epoch ms after which the token is renewed; Infinity when the server gave no lifetime. */
  renewAt: number;
}

export function createCredentials(auth: ScimAuth, settings: HttpSettings): Credentials {
  switch (auth.type) {
    case 'bearer':
      return {
        authorization: async () => connectorOk(`Bearer ${auth.token}`),
        renew: () => false,
        secrets: () => [auth.token],
      };
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return {
        authorization: async () => connectorOk(`Basic ${encoded}`),
        renew: () => false,
        secrets: () => [auth.password, encoded],
      };
    }
    case 'oauth2':
      return oauth2Credentials(auth, settings);
  }
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4). The token is cached until shortly before `expires_in`
 * runs out; concurrent calls share one token request; a 401 from the target drops the cache once so
 * a token revoked early is replaced.
 */
function oauth2Credentials(auth: OAuth2, settings: HttpSettings): Credentials {
  let cached: CachedToken | null = null;
  let pending: Promise<ConnectorResult<CachedToken>> | null = null;
  // RFC 6749 §2.3.1 form-encodes id and secret before the Basic encoding.
  const basic = Buffer.from(
    `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`,
    'utf8',
  ).toString('base64');
  const secrets = () => [auth.clientSecret, basic, ...(cached ? [cached.value] : [])];

  const obtain = () => {
    pending ??= requestToken(auth, basic, settings, secrets).finally(() => {
      pending = null;
    });
    return pending;
  };

  return {
    async authorization() {
      if (!cached || settings.now() >= cached.renewAt) {
        const fresh = await obtain();
        if (!fresh.ok) return fresh;
        cached = fresh.value;
      }
      return connectorOk(cached.header);
    },
    renew() {
      cached = null;
      return true;
    },
    secrets,
  };
}

async function requestToken(
  auth: OAuth2,
  basic: string,
  settings: HttpSettings,
  secrets: () => string[],
): Promise<ConnectorResult<CachedToken>> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scope) form.set('scope', auth.scope);
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  if (auth.clientAuth === 'post') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
  } else {
    headers.Authorization = `Basic ${basic}`;
  }
  const issuedAt = settings.now();
  const answer = await exchange(
    { method: 'POST', url: auth.tokenUrl, where: 'OAuth2 token request', headers, body: form.toString() },
    settings,
    null,
    secrets(),
  );
  if (!answer.ok) {
    const failure = { ...answer.failure };
    // The token endpoint refusing the client (400 invalid_client, 401) is a credentials problem.
    if (failure.status === 400 || failure.status === 401) {
      failure.code = 'auth';
      failure.retryable = false;
    }
    return connectorFail(failure);
  }
  const body = answer.value.json;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const token = fields.access_token;
  if (typeof token !== 'string' || token === '')
    return connectorFail({
      code: 'auth',
      message: 'OAuth2 token response has no access_token',
      retryable: false,
      status: answer.value.status,
    });
  const type = fields.token_type;
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer'))
    return connectorFail({
      code: 'auth',
      message: `OAuth2 token_type ${String(type)} is not supported (only Bearer)`,
      retryable: false,
    });
  const lifetime = typeof fields.expires_in === 'string' ? Number(fields.expires_in) : fields.expires_in;
  const header = `Bearer ${token}`;
  if (typeof lifetime !== 'number' || !Number.isFinite(lifetime) || lifetime <= 0)
    return connectorOk({ header, value: token, renewAt: Number.POSITIVE_INFINITY });
  // Renew a little early so the token cannot expire between our check and the target reading it.
  const marginS = Math.min(60, lifetime / 10);
  return connectorOk({ header, value: token, renewAt: issuedAt + (lifetime - marginS) * 1000 });
}

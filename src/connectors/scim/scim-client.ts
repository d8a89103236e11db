import { VERSION } from '../../core/index.ts';
import type { ConnectorResult } from '../../outbound/index.ts';
import { type Credentials, exchange, type HttpAnswer, type HttpSettings } from './http-client.ts';
import type { HttpMethod } from './retry-policy.ts';

export interface ScimRequest {
  method: HttpMethod;
  /** Relative to the base URL, starting with `/`. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  headers?: Record<string, string>;
}

export type ScimClient = (req: ScimRequest) => Promise<ConnectorResult<HttpAnswer>>;

/** SCIM requests against one base URL: JSON in `application/scim+json` (RFC 7644 §3.1), credentials on. */
export function createScimClient(
  baseUrl: string,
  extraHeaders: Record<string, string>,
  settings: HttpSettings,
  credentials: Credentials,
): ScimClient {
  const base = baseUrl.replace(/\/+$/, '');
  // Header values from config may be gateway keys: keep them out of messages like credentials.
  const headerSecrets = Object.values(extraHeaders);
  return (req) => {
    const headers: Record<string, string> = {
      ...extraHeaders,
      Accept: 'application/scim+json, application/json',
      'User-Agent': `Joinery/${VERSION}`,
      ...req.headers,
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/scim+json';
      body = JSON.stringify(req.body);
    }
    // %20 rather than URLSearchParams' `+`: not every server reads `+` in a query as a space.
    const query = req.query
      ? `?${Object.entries(req.query)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')}`
      : '';
    const ex = {
      method: req.method,
      url: `${base}${req.path}${query}`,
      where: `${req.method} ${req.path}`,
      headers,
    };
    return exchange(body === undefined ? ex : { ...ex, body }, settings, credentials, headerSecrets);
  };
}

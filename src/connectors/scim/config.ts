import { z } from 'zod';

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `${what} must be an http:// or https:// URL` });
const required = (what: string) =>
  z.string({ error: `${what} is required` }).min(1, `${what} must not be empty`);

/** Extension schema URNs: `urn:` and at least two more colon-separated parts. */
const schemaUrn = z
  .string()
  .regex(
    /^urn:[^:\s]+(:[^:\s]+)+$/i,
    'must be a schema URN such as urn:example:params:scim:schemas:acme:1.0:User',
  );

/**
 * Headers the connector sets itself. Letting config override them would break authentication or make
 * the body unreadable to the target, so they are refused at configuration time with a pointer.
 */
const RESERVED_HEADERS = new Set(['authorization', 'content-type', 'accept', 'content-length', 'host']);

export const scimAuthSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('bearer'), token: required('auth.token') }),
    z.strictObject({
      type: z.literal('basic'),
      username: required('auth.username'),
      password: z.string({ error: 'auth.password is required' }),
    }),
    z.strictObject({
      type: z.literal('oauth2'),
      tokenUrl: httpUrl('auth.tokenUrl'),
      clientId: required('auth.clientId'),
      clientSecret: required('auth.clientSecret'),
      scope: z.string().min(1, 'auth.scope must not be empty when given').optional(),
      // RFC 6749 §2.3.1: servers must accept HTTP Basic; some older ones only read the form body.
      clientAuth: z.enum(['basic', 'post']).default('basic'),
    }),
  ],
  { error: 'auth.type must be one of bearer, basic, oauth2' },
);

export const scimConnectorConfigSchema = z.strictObject({
  /** The SCIM base URL, e.g. `https://app.example.com/scim/v2` (a trailing slash is ignored). */
  baseUrl: httpUrl('baseUrl'),
  auth: scimAuthSchema,
  /** Per attempt, including reading the body. */
  timeoutMs: z.number().int().min(100, 'timeoutMs must be at least 100').max(600_000).default(15_000),
  /** Retries inside one call (429, 5xx, network); 0 turns in-call retries off. */
  maxRetries: z.number().int().min(0).max(10, 'maxRetries must be at most 10').default(3),
  /** A Retry-After longer than this is not waited out in the call; the engine gets `rate_limited`. */
  maxRetryAfterMs: z.number().int().min(0).max(3_600_000).default(30_000),
  /** `auto`: PATCH when /ServiceProviderConfig says `patch.supported`, else GET + PUT. */
  updateMethod: z.enum(['auto', 'patch', 'put']).default('auto'),
  /** `count` of list pages; lowered to the target's `filter.maxResults` when that is smaller. */
  pageSize: z.number().int().min(1).max(1000, 'pageSize must be at most 1000').default(100),
  /**
   * Extension schemas the target expects on every user (listed in `schemas` on POST/PUT), also used to
   * split attribute paths whose URN is ambiguous. Extensions used by a mapping need no listing.
   */
  userSchemaExtensions: z.array(schemaUrn).max(50).optional(),
  /** Extra request headers (a tenant id, an API gateway key). */
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'header names must be HTTP tokens'), z.string())
    .refine((h) => Object.keys(h).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())), {
      error: 'headers may not set Authorization, Content-Type, Accept, Content-Length or Host (use auth)',
    })
    .optional(),
});

export type ScimConnectorConfig = z.output<typeof scimConnectorConfigSchema>;
export type ScimConnectorConfigInput = z.input<typeof scimConnectorConfigSchema>;
export type ScimAuth = ScimConnectorConfig['auth'];

/** Where the credentials sit in a parsed config: sealed at rest, shown as `********`. */
export const scimSecretPaths = ['auth.token', 'auth.password', 'auth.clientSecret'] as const;

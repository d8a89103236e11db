import { z } from 'zod';
import { isSecretName } from './errors.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const nonEmpty = z.string().min(1, 'must not be empty');
const timeoutMs = z.number().int().min(100).max(600_000);
/** Allowance for clock skew and late-committed changes at the source; see README "Watermarks". */
const watermarkSkewMs = z.number().int().min(0).max(86_400_000);

export const pullAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('basic'), username: nonEmpty, password: z.string() }),
  z.strictObject({ type: z.literal('bearer'), token: nonEmpty }),
  z.strictObject({
    type: z.literal('oauth2'),
    tokenUrl: httpUrl,
    clientId: nonEmpty,
    clientSecret: nonEmpty,
    scope: z.string().optional(),
    // RFC 6749 §2.3.1: servers must accept HTTP Basic; some (older) only read the form body.
    clientAuth: z.enum(['basic', 'post']).optional(),
  }),
]);

export type PullAuth = z.infer<typeof pullAuthSchema>;

export const scimPullConfigSchema = z.strictObject({
  url: httpUrl,
  resource: z.literal('Users').optional(),
  pageSize: z.number().int().min(1).max(1000).optional(),
  filter: z.string().min(1).optional(),
  auth: pullAuthSchema,
  timeoutMs: timeoutMs.optional(),
  watermarkSkewMs: watermarkSkewMs.optional(),
  maxPages: z.number().int().min(1).optional(),
});

export type ScimPullConfig = z.infer<typeof scimPullConfigSchema>;

const pagingSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('nextLink'), path: nonEmpty }),
  z.strictObject({ type: z.literal('linkHeader') }),
  z.strictObject({
    type: z.literal('offset'),
    offsetParam: nonEmpty,
    limitParam: nonEmpty,
    pageSize: z.number().int().min(1).max(100_000),
    start: z.number().int().min(0).optional(),
  }),
]);

export const httpJsonPullConfigSchema = z
  .strictObject({
    url: httpUrl,
    method: z.enum(['GET', 'POST']).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
    auth: pullAuthSchema,
    recordsPath: z.string(),
    paging: pagingSchema,
    deltaParam: z
      .strictObject({
        name: nonEmpty,
        format: z.literal('iso').optional(),
        // Sources that take the watermark inside an expression ($filter, sysparm_query) need a template.
        template: z
          .string()
          .refine((t) => t.includes('{watermark}'), 'must contain {watermark}')
          .optional(),
      })
      .optional(),
    watermarkPath: nonEmpty.optional(),
    timeoutMs: timeoutMs.optional(),
    watermarkSkewMs: watermarkSkewMs.optional(),
    maxPages: z.number().int().min(1).optional(),
  })
  // fetch refuses a body on GET; say so at configuration time rather than on the first run.
  .refine((c) => c.body === undefined || c.method === 'POST', {
    message: 'a body needs method POST',
    path: ['body'],
  });

export type HttpJsonPullConfig = z.infer<typeof httpJsonPullConfigSchema>;

export const DEFAULTS = {
  pageSize: 100,
  timeoutMs: 30_000,
  watermarkSkewMs: 300_000,
  maxPages: 10_000,
} as const;

/** Header names whose values are credentials even though they are not in `auth`. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|api[-_]?key|token|secret|password/i;

/**
 * Dotted paths of the config's secret fields, for the caller to encrypt at rest and redact in output.
 * Header and query names are used verbatim as the last segment (they rarely contain dots).
 */
export function secretPaths(config: ScimPullConfig | HttpJsonPullConfig): string[] {
  const paths: string[] = [];
  const auth = config.auth;
  if (auth.type === 'basic') paths.push('auth.password');
  if (auth.type === 'bearer') paths.push('auth.token');
  if (auth.type === 'oauth2') paths.push('auth.clientSecret');
  if ('headers' in config && config.headers) {
    for (const name of Object.keys(config.headers))
      if (SECRET_HEADER.test(name)) paths.push(`headers.${name}`);
  }
  if ('query' in config && config.query) {
    for (const name of Object.keys(config.query)) if (isSecretName(name)) paths.push(`query.${name}`);
  }
  return paths;
}

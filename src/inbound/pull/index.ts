export {
  type HttpJsonPullConfig,
  httpJsonPullConfigSchema,
  type PullAuth,
  pullAuthSchema,
  type ScimPullConfig,
  scimPullConfigSchema,
  secretPaths,
} from './config.ts';
export { PullError, type PullFailure } from './errors.ts';
export { pullHttpJson } from './http-json-pull.ts';
export type { PullOptions, PullPage, PullResult } from './options.ts';
export { pullScim } from './scim-pull.ts';

import type { RequestContext } from '../../core/index.ts';
import type { Directory } from '../../directory/index.ts';
import type { SchemaDefinition } from '../../scim/index.ts';

export interface ScimLimits {
  /** Largest page a list or search returns (advertised as filter.maxResults). */
  maxResults: number;
  bulkMaxOperations: number;
  bulkMaxPayloadBytes: number;
}

export const defaultScimLimits: ScimLimits = {
  maxResults: 1000,
  bulkMaxOperations: 1000,
  bulkMaxPayloadBytes: 1_048_576,
};

export interface ScimDeps {
  directory: Directory;
  limits: ScimLimits;
  /** Admin-declared extension schemas; cached briefly so a GET does not read them every time. */
  customSchemas: () => Promise<SchemaDefinition[]>;
  /** Forget the cached declarations (after this process changed them). */
  invalidateSchemas: () => void;
}

/** One SCIM call, from a route or from one operation of a Bulk request. */
export interface ScimCall {
  ctx: RequestContext;
  baseUrl: string;
  query: Record<string, string>;
  body: unknown;
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
}

const SCHEMA_CACHE_MS = 5_000;

export function schemaCache(load: () => Promise<SchemaDefinition[]>, now: () => number) {
  let cached: { at: number; value: Promise<SchemaDefinition[]> } | null = null;
  return {
    get: (): Promise<SchemaDefinition[]> => {
      if (!cached || now() - cached.at > SCHEMA_CACHE_MS) {
        const value = load();
        cached = { at: now(), value };
        value.catch(() => {
          cached = null;
        });
      }
      return cached.value;
    },
    invalidate: () => {
      cached = null;
    },
  };
}

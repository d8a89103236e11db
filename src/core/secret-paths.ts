import type { SecretBox } from './secret-box.ts';

/** What the API shows in place of a stored credential. */
export const REDACTED_SECRET = '********';

type Json = Record<string, unknown>;

function getPath(obj: Json, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[key];
  }
  return cur;
}

function setPath(obj: Json, path: readonly string[], value: unknown): void {
  let cur: Json = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (!next || typeof next !== 'object') return;
    cur = next as Json;
  }
  const last = path[path.length - 1];
  if (last !== undefined && last in cur) cur[last] = value;
}

/**
 * A copy of `config` with every string at one of the dot `paths` passed through `fn`. Credentials live
 * inside ordinary JSON configs (pull sources, connectors); these helpers seal, open and redact them
 * without each module walking its own shape.
 */
export function mapSecretPaths<T extends object>(
  config: T,
  paths: readonly string[],
  fn: (value: string) => string,
): T {
  const copy = structuredClone(config) as T & Json;
  for (const p of paths) {
    const path = p.split('.');
    const value = getPath(copy, path);
    if (typeof value === 'string') setPath(copy, path, fn(value));
  }
  return copy;
}

export const sealSecretPaths = <T extends object>(config: T, paths: readonly string[], box: SecretBox): T =>
  mapSecretPaths(config, paths, (v) => (box.isSealed(v) ? v : box.seal(v)));

export const openSecretPaths = <T extends object>(config: T, paths: readonly string[], box: SecretBox): T =>
  mapSecretPaths(config, paths, (v) => box.open(v));

export const redactSecretPaths = <T extends object>(config: T, paths: readonly string[]): T =>
  mapSecretPaths(config, paths, () => REDACTED_SECRET);

/** An update that sends the redaction marker back keeps the stored (sealed) secret. Mutates `next`. */
export function keepRedactedSecrets(next: Json, previous: Json, paths: readonly string[]): void {
  for (const p of paths) {
    const path = p.split('.');
    if (getPath(next, path) === REDACTED_SECRET) setPath(next, path, getPath(previous, path));
  }
}

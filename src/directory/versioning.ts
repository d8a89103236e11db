import { type Failure, failure } from '../core/index.ts';

/** The optimistic-concurrency failure when a caller's expected version is not the stored one. */
export function versionConflict(
  kind: 'user' | 'group',
  id: string,
  current: number,
  expected: number | undefined,
): Failure | null {
  if (expected === undefined || expected === current) return null;
  return failure('directory.version_mismatch', `${kind} ${id} is at version ${current}, not ${expected}`, {
    currentVersion: current,
  });
}

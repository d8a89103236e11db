import type { Failure, Result } from '../src/core/index.ts';

/** The failure of a result that must have failed; throws (failing the test) when it succeeded. */
export function failed<T>(result: Result<T>): Failure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

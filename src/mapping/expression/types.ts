import type { ExpressionError } from './errors.ts';

export type Value = string | number | boolean | null | readonly Value[];

export interface EvaluationContext {
  /** Source attribute by name, case-insensitive; undefined when the record lacks it. */
  attribute(name: string): Value | undefined;
  /** The clock (tests pass a fixed one). */
  now(): Date;
  /** For SelectUniqueValue: resolves true when no directory object holds this candidate for the mapping's target. */
  isUnique?: (candidate: string) => Promise<boolean>;
}

export type Evaluation = { ok: true; value: Value; flow: boolean } | { ok: false; error: ExpressionError };

export interface Expression {
  readonly source: string;
  /** Source attribute names referenced (as written). */
  readonly attributes: readonly string[];
  /** True when evaluation needs `isUnique` (SelectUniqueValue) and so must be awaited. */
  readonly usesDirectory: boolean;
  evaluate(ctx: EvaluationContext): Promise<Evaluation>;
  /** Synchronous evaluation; only when !usesDirectory (throws otherwise). Hot path for bulk loads. */
  evaluateSync(ctx: EvaluationContext): Evaluation;
}

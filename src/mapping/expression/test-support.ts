/** Shared helpers for this module's tests. */
import {
  compileExpression,
  type Evaluation,
  type EvaluationContext,
  type ExpressionError,
  type Value,
} from './index.ts';

/** The clock the tests use: 2021-07-02 15:33:38 UTC, the moment of Microsoft's Now() example. */
export const FIXED_NOW = new Date('2021-07-02T15:33:38Z');

export function context(attributes: Record<string, Value> = {}, extra: Partial<EvaluationContext> = {}) {
  const lower = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase(), v]));
  const ctx: EvaluationContext = {
    attribute: (name) => lower.get(name.toLowerCase()),
    now: () => FIXED_NOW,
    ...extra,
  };
  return ctx;
}

function compiled(text: string) {
  const c = compileExpression(text);
  if (!c.ok) throw new Error(`expected ${text} to compile: ${c.error.code} ${c.error.message}`);
  return c.expression;
}

export function evaluate(text: string, attributes: Record<string, Value> = {}): Evaluation {
  return compiled(text).evaluateSync(context(attributes));
}

/** The value of a successful evaluation; fails the test on an error. */
export function value(text: string, attributes: Record<string, Value> = {}): Value {
  const r = evaluate(text, attributes);
  if (!r.ok) throw new Error(`expected ${text} to evaluate: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** The error of a failed evaluation; fails the test when it succeeds. */
export function runtimeError(text: string, attributes: Record<string, Value> = {}): ExpressionError {
  const r = evaluate(text, attributes);
  if (r.ok) throw new Error(`expected ${text} to fail but it gave ${JSON.stringify(r.value)}`);
  return r.error;
}

/** The error of a failed compilation; fails the test when it compiles. */
export function compileError(text: string): ExpressionError {
  const c = compileExpression(text);
  if (c.ok) throw new Error(`expected ${text} not to compile`);
  return c.error;
}

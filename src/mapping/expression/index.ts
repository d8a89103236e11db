/**
 * Microsoft Entra–compatible attribute-mapping expressions: parse once, check function names and argument
 * counts, compile to closures, then evaluate against a source record. Pure: no I/O, no database; the
 * directory is reached only through the caller's `isUnique` callback. See README.md for the language.
 */
import { compileTree } from './compile.ts';
import { type ExpressionError, ExpressionFailure } from './errors.ts';
import { parse } from './parser.ts';
import { lookupFunction, specs } from './registry.ts';
import type { State } from './runtime.ts';
import type { Evaluation, EvaluationContext, Expression } from './types.ts';
import { output, type Val } from './values.ts';

export type { ExpressionError } from './errors.ts';
export type { Evaluation, EvaluationContext, Expression, Value } from './types.ts';

/** The canonical names of every supported function, in alphabetical order. */
export const functionNames: readonly string[] = Object.freeze(specs.map((s) => s.name));

const redacted = new WeakSet<Expression>();

/**
 * True when the expression uses Redact: Entra then shows "[Redact]" instead of the value in its provisioning
 * logs, and callers that log mapped values should do the same.
 */
export function isRedacted(expression: Expression): boolean {
  return redacted.has(expression);
}

function finish(value: Val, s: State): Evaluation {
  // IgnoreFlowIfNullOrEmpty / IgnoreAttributeFlow anywhere in the evaluated path: the attribute does not flow.
  return s.flow ? { ok: true, value: output(value), flow: true } : { ok: true, value: null, flow: false };
}

function caught(e: unknown): Evaluation {
  if (e instanceof ExpressionFailure) return { ok: false, error: e.error };
  throw e;
}

export function compileExpression(
  text: string,
): { ok: true; expression: Expression } | { ok: false; error: ExpressionError } {
  if (typeof text !== 'string') {
    return {
      ok: false,
      error: { code: 'mapping.syntax', message: 'the expression must be text', line: 1, column: 1 },
    };
  }
  let compiled: ReturnType<typeof compileTree>;
  try {
    compiled = compileTree(parse(text, (name) => lookupFunction(name) !== undefined));
  } catch (e) {
    if (e instanceof ExpressionFailure) return { ok: false, error: e.error };
    throw e;
  }
  const { run, runAsync } = compiled;
  const usesDirectory = runAsync !== undefined;
  const evaluateSync = (ctx: EvaluationContext): Evaluation => {
    if (run === undefined) {
      throw new Error('this expression uses SelectUniqueValue, which checks the directory: call evaluate()');
    }
    const s: State = { ctx, flow: true };
    try {
      return finish(run(s), s);
    } catch (e) {
      return caught(e);
    }
  };
  const expression: Expression = Object.freeze({
    source: text,
    attributes: Object.freeze([...compiled.attributes]),
    usesDirectory,
    evaluateSync,
    async evaluate(ctx: EvaluationContext): Promise<Evaluation> {
      if (runAsync === undefined) return evaluateSync(ctx);
      const s: State = { ctx, flow: true };
      try {
        return finish(await runAsync(s), s);
      } catch (e) {
        return caught(e);
      }
    },
  });
  if (compiled.redacted) redacted.add(expression);
  return { ok: true, expression };
}

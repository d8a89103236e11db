import type { Node } from './ast.ts';
import { fail, type Position } from './errors.ts';
import type { EvaluationContext, Value } from './types.ts';
import type { Val } from './values.ts';

/** Per-evaluation state. `flow` turns false when IgnoreFlowIfNullOrEmpty or IgnoreAttributeFlow fires. */
export interface State {
  readonly ctx: EvaluationContext;
  flow: boolean;
}

export type Evaluator = (s: State) => Val;

/** Where a function was called, for runtime error messages and positions. */
export interface Site {
  readonly name: string;
  readonly at: Position;
}

/** A compiled argument. */
export interface Arg {
  readonly node: Node;
  /** The position was left empty; `run` then yields null. */
  readonly omitted: boolean;
  /** The value when the argument is a plain literal, so functions can do work (regex, formats) once at compile time. */
  readonly literal: Value | undefined;
  readonly run: Evaluator;
}

export interface FunctionSpec {
  /** Canonical (documented) spelling. */
  readonly name: string;
  /** Parameter names for messages; when `variadic`, the last one repeats. */
  readonly params: readonly string[];
  readonly min: number;
  readonly max: number;
  readonly variadic?: boolean;
  /** Positions that may be left empty; by default none may. */
  readonly omittable?: (index: number, argc: number) => boolean;
  /** A count rule beyond min/max (e.g. Switch's pairs); returns the problem, if any. */
  readonly countRule?: (argc: number) => string | undefined;
  /** How messages show the call, when the parameter list alone would mislead (variadic pairs, extensions). */
  readonly signature?: string;
  /** Entra allows the function only as the whole expression. */
  readonly topLevelOnly?: boolean;
  /** Builds the evaluator; may throw ExpressionFailure for problems found at compile time. */
  readonly build: (args: readonly Arg[], site: Site) => Evaluator;
  /** For a function that must be awaited (SelectUniqueValue); only ever the whole expression. */
  readonly buildAsync?: (args: readonly Arg[], site: Site) => (s: State) => Promise<Val>;
}

export function signatureOf(spec: FunctionSpec): string {
  return spec.signature ?? `${spec.name}(${spec.params.join(', ')}${spec.variadic === true ? ', …' : ''})`;
}

export function runtimeError(site: Site, message: string): never {
  return fail('mapping.runtime', `${site.name}: ${message}`, site.at);
}

/** A compile-time problem with one argument (an invalid literal regex, say), reported at that argument. */
export function argumentError(site: Site, arg: Arg, message: string): never {
  return fail('mapping.syntax', `${site.name}: ${message}`, arg.node.at);
}

/** A function spec for the common case: every argument evaluated eagerly, in order. */
export function eager(
  spec: Omit<FunctionSpec, 'build'>,
  body: (values: readonly Val[], site: Site, s: State) => Val,
): FunctionSpec {
  return {
    ...spec,
    build: (args, site) => (s) =>
      body(
        args.map((a) => a.run(s)),
        site,
        s,
      ),
  };
}

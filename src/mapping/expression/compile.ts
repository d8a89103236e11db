import type { CallNode, Node } from './ast.ts';
import { compare } from './compare.ts';
import { fail } from './errors.ts';
import { lookupFunction, specs } from './registry.ts';
import type { Arg, Evaluator, FunctionSpec, Site, State } from './runtime.ts';
import { signatureOf } from './runtime.ts';
import type { Value } from './types.ts';
import type { Val } from './values.ts';

export interface Compiled {
  /** Present unless the expression is a top-level SelectUniqueValue. */
  readonly run: Evaluator | undefined;
  readonly runAsync: ((s: State) => Promise<Val>) | undefined;
  readonly attributes: readonly string[];
  readonly redacted: boolean;
}

interface Collected {
  readonly attributes: string[];
  redacted: boolean;
}

/**
 * Turns the syntax tree into nested closures, resolving function names and checking argument counts on the
 * way, so evaluating does no parsing, lookups or checks that could have been done once.
 */
export function compileTree(root: Node): Compiled {
  const collected: Collected = { attributes: [], redacted: false };
  if (root.kind === 'call') {
    const spec = resolve(root);
    if (spec.buildAsync !== undefined) {
      checkCall(root, spec, true);
      const args = root.args.map((a) => compileArg(a, collected));
      const site: Site = { name: spec.name, at: root.at };
      return { run: undefined, runAsync: spec.buildAsync(args, site), ...collected };
    }
  }
  const run = compileNode(root, collected, true);
  return { run, runAsync: undefined, ...collected };
}

function compileArg(node: Node, collected: Collected): Arg {
  const literal: Value | undefined =
    node.kind === 'string' || node.kind === 'number' || node.kind === 'boolean' ? node.value : undefined;
  return { node, omitted: node.kind === 'omitted', literal, run: compileNode(node, collected, false) };
}

function compileNode(node: Node, collected: Collected, isRoot: boolean): Evaluator {
  switch (node.kind) {
    case 'string':
    case 'number':
    case 'boolean': {
      const value = node.value;
      return () => value;
    }
    case 'omitted':
      return () => null;
    case 'attribute': {
      const name = node.name;
      if (!collected.attributes.includes(name)) collected.attributes.push(name);
      return (s) => s.ctx.attribute(name) ?? null;
    }
    case 'constant':
      return constant(node.name, node.at);
    case 'compare': {
      const left = compileNode(node.left, collected, false);
      const right = compileNode(node.right, collected, false);
      const site: Site = { name: `the ${node.op} comparison`, at: node.at };
      const op = node.op;
      return (s) => compare(op, left(s), right(s), site);
    }
    case 'call': {
      const spec = resolve(node);
      checkCall(node, spec, isRoot);
      if (spec.name === 'Redact') collected.redacted = true;
      const args = node.args.map((a) => compileArg(a, collected));
      return spec.build(args, { name: spec.name, at: node.at });
    }
  }
}

function constant(name: string, at: Node['at']): Evaluator {
  switch (name) {
    case 'vbBinaryCompare':
      return () => 0;
    case 'vbTextCompare':
      return () => 1;
    case 'IgnoreAttributeFlow':
      return (s) => {
        s.flow = false;
        return null;
      };
    default:
      return () =>
        fail(
          'mapping.not_applicable',
          'IgnoreObjectFlow: not applicable: Joinery decides which objects are provisioned with scoping rules, not with an attribute expression',
          at,
        );
  }
}

function resolve(node: CallNode): FunctionSpec {
  const spec = lookupFunction(node.name);
  if (spec !== undefined) return spec;
  const near = suggestion(node.name);
  return fail(
    'mapping.unknown_function',
    `unknown function '${node.name}'${near === undefined ? '' : `; did you mean ${near}?`}`,
    node.at,
  );
}

function arityText(spec: FunctionSpec): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (spec.max === Number.POSITIVE_INFINITY) return `at least ${plural(spec.min)}`;
  if (spec.min === spec.max) return plural(spec.min);
  return `${spec.min} to ${spec.max} arguments`;
}

function checkCall(node: CallNode, spec: FunctionSpec, isRoot: boolean): void {
  const argc = node.args.length;
  const signature = signatureOf(spec);
  if (argc < spec.min || argc > spec.max) {
    fail('mapping.arity', `${spec.name} expects ${arityText(spec)} but got ${argc}: ${signature}`, node.at);
  }
  const rule = spec.countRule?.(argc);
  if (rule !== undefined) fail('mapping.arity', `${spec.name}: ${rule} (got ${argc}): ${signature}`, node.at);
  node.args.forEach((arg, i) => {
    if (arg.kind !== 'omitted' || spec.omittable?.(i, argc) === true) return;
    const param = spec.params[Math.min(i, spec.params.length - 1)] ?? `argument ${i + 1}`;
    fail(
      'mapping.arity',
      `${spec.name}: argument ${i + 1} (${param}) cannot be left empty: ${signature}`,
      arg.at,
    );
  });
  if (spec.topLevelOnly === true && !isRoot) {
    fail(
      'mapping.syntax',
      `${spec.name} must be the whole expression, not part of one: the value checked for uniqueness must be the value written`,
      node.at,
    );
  }
}

/** The closest function name within a few edits (fewer for short names), for "did you mean" hints. */
function suggestion(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(lower.length / 3)) + 1;
  for (const spec of specs) {
    const d = distance(lower, spec.name.toLowerCase());
    if (d < bestDistance) {
      best = spec.name;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 3;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompareOperator, ConstantName, Node } from './ast.ts';
import { compileExpression, functionNames } from './index.ts';
import { parse } from './parser.ts';
import { printExpression } from './printer.ts';
import { context } from './test-support.ts';

const codes = [
  'mapping.syntax',
  'mapping.unknown_function',
  'mapping.arity',
  'mapping.runtime',
  'mapping.not_applicable',
];
const here = { line: 1, column: 1 };

/** Positions depend on layout, not meaning; compare trees without them. */
function shape(node: Node): unknown {
  switch (node.kind) {
    case 'call':
      return { kind: 'call', name: node.name, args: node.args.map(shape) };
    case 'compare':
      return { kind: 'compare', op: node.op, left: shape(node.left), right: shape(node.right) };
    default: {
      const { at: _at, ...rest } = node;
      return rest;
    }
  }
}

const pieces = [
  '(',
  ')',
  ',',
  '[',
  ']',
  '"',
  '\\',
  '=',
  '<>',
  '<=',
  ' ',
  '\n',
  '1',
  '-',
  '&H',
  'x',
  'Join',
  'IIF',
  'Switch',
];
const tokenSoup = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join(''));

const attributeName = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.:-]{0,15}$/),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z ]{0,8}$/))
    .map(([a, b]) => `${a}[type eq "${b}"].value`),
);

const leaf: fc.Arbitrary<Node> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }).map((value): Node => ({ kind: 'string', value, at: here })),
  fc
    .integer({ min: -1000, max: 100000 })
    .map((n): Node => ({ kind: 'number', value: n, raw: String(n), at: here })),
  fc.boolean().map((value): Node => ({ kind: 'boolean', value, at: here })),
  fc
    .constantFrom<ConstantName>('vbTextCompare', 'vbBinaryCompare', 'IgnoreAttributeFlow')
    .map((name): Node => ({ kind: 'constant', name, at: here })),
  attributeName.map((name): Node => ({ kind: 'attribute', name, at: here })),
);

const { tree } = fc.letrec<{ tree: Node; operand: Node; call: Node }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, tie('operand'), tie('operand'), compare(tie('operand'))),
  operand: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('call')),
  call: fc
    .tuple(
      fc.constantFrom(...functionNames),
      fc.boolean(),
      fc.array(fc.option(tie('tree'), { nil: undefined, freq: 4 }), { maxLength: 4 }),
    )
    .map(([name, lower, args]): Node => {
      const nodes: Node[] = args.map((a) => a ?? { kind: 'omitted', at: here });
      // A lone empty position prints as "F()", which is a call with no arguments.
      const usable = nodes.length === 1 && nodes[0]?.kind === 'omitted' ? [] : nodes;
      return { kind: 'call', name: lower ? name.toLowerCase() : name, args: usable, at: here };
    }),
}));

function compare(operand: fc.Arbitrary<Node>): fc.Arbitrary<Node> {
  return fc
    .tuple(operand, fc.constantFrom<CompareOperator>('=', '<>', '<', '<=', '>', '>='), operand)
    .map(([left, op, right]): Node => ({ kind: 'compare', op, left, right, at: here }));
}

describe('compileExpression on arbitrary input', () => {
  it('never throws: it returns an expression or a positioned error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), tokenSoup), (text) => {
        const c = compileExpression(text);
        if (!c.ok) {
          expect(codes).toContain(c.error.code);
          expect(c.error.line).toBeGreaterThanOrEqual(1);
          expect(c.error.column).toBeGreaterThanOrEqual(1);
          expect(c.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('printing and parsing', () => {
  it('round-trips generated expressions', () => {
    fc.assert(
      fc.property(tree, (node) => {
        const text = printExpression(node);
        const reparsed = parse(text);
        expect(shape(reparsed)).toEqual(shape(node));
        expect(printExpression(reparsed)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('evaluates whatever compiles without throwing', async () => {
    let evaluated = 0;
    await fc.assert(
      fc.asyncProperty(
        tree,
        fc.dictionary(attributeName, fc.string({ maxLength: 8 })),
        async (node, attrs) => {
          const c = compileExpression(printExpression(node));
          if (!c.ok) return;
          evaluated += 1;
          const ctx = context(attrs, { isUnique: async () => true });
          const result = await c.expression.evaluate(ctx);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(codes).toContain(result.error.code);
        },
      ),
      { numRuns: 500 },
    );
    // Random calls often have the wrong arity; make sure enough compiled for the property to mean something.
    expect(evaluated).toBeGreaterThan(100);
  });
});

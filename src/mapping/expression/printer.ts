import type { Node } from './ast.ts';

/**
 * Prints a syntax tree back as expression text that parses to the same tree. Used by the property tests
 * and handy for showing a normalised expression.
 */
export function printExpression(node: Node): string {
  switch (node.kind) {
    case 'string':
      return `"${node.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'number':
      return node.raw;
    case 'boolean':
      return node.value ? 'True' : 'False';
    case 'constant':
      return node.name;
    case 'attribute':
      return `[${node.name}]`;
    case 'omitted':
      return '';
    case 'compare':
      return `${printExpression(node.left)} ${node.op} ${printExpression(node.right)}`;
    case 'call':
      return `${node.name}(${node.args.map((a) => printExpression(a)).join(', ')})`;
  }
}

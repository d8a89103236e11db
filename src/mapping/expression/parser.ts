import type { ConstantName, Node } from './ast.ts';
import { fail } from './errors.ts';
import { type Token, tokenize } from './lexer.ts';

/** Deepest nesting of function calls accepted; bounds the recursion of parser, compiler and evaluator. */
export const MAX_DEPTH = 64;

const constants: ReadonlyMap<string, ConstantName> = new Map(
  (['vbTextCompare', 'vbBinaryCompare', 'IgnoreAttributeFlow', 'IgnoreObjectFlow'] as const).map((n) => [
    n.toLowerCase(),
    n,
  ]),
);

function describe(token: Token): string {
  switch (token.type) {
    case 'string':
      return `string "${token.value.length > 20 ? `${token.value.slice(0, 20)}…` : token.value}"`;
    case 'number':
      return `number ${token.raw}`;
    case 'attribute':
      return `attribute [${token.name}]`;
    case 'ident':
      return `'${token.name}'`;
    case 'op':
      return `'${token.op}'`;
    case 'eof':
      return 'the end of the expression';
    default:
      return `'${token.type}'`;
  }
}

/**
 * Parses one expression. Grammar (EBNF):
 *   expression = operand [ ("=" | "<>" | "<" | "<=" | ">" | ">=") operand ] ;
 *   operand    = string | number | attribute | constant | call ;
 *   call       = name "(" [ argument { "," argument } ] ")" ;
 *   argument   = [ expression ] ;   (* an empty position is an omitted argument *)
 * Throws ExpressionFailure with the position of the offending token.
 */
export function parse(text: string, isFunctionName: (name: string) => boolean = () => false): Node {
  const tokens = tokenize(text);
  let index = 0;
  const peek = (): Token => tokens[index] ?? tokens[tokens.length - 1]!;
  const next = (): Token => {
    const t = peek();
    if (t.type !== 'eof') index += 1;
    return t;
  };

  if (peek().type === 'eof') fail('mapping.syntax', 'empty expression', peek().at);
  const root = expression(0, undefined);
  const rest = peek();
  if (rest.type !== 'eof') {
    fail('mapping.syntax', `unexpected ${describe(rest)} after the end of the expression`, rest.at);
  }
  return root;

  function expression(depth: number, context: string | undefined): Node {
    const left = operand(depth, context);
    const op = peek();
    if (op.type !== 'op') return left;
    next();
    const right = operand(depth, context);
    const again = peek();
    if (again.type === 'op') {
      fail('mapping.syntax', `comparisons cannot be chained: unexpected '${again.op}'`, again.at);
    }
    return { kind: 'compare', op: op.op, left, right, at: op.at };
  }

  function operand(depth: number, context: string | undefined): Node {
    const t = next();
    switch (t.type) {
      case 'string':
        return { kind: 'string', value: t.value, at: t.at };
      case 'number':
        return { kind: 'number', value: t.value, raw: t.raw, at: t.at };
      case 'attribute':
        return { kind: 'attribute', name: t.name, at: t.at };
      case 'ident':
        return identifier(t, depth);
      default: {
        const where = context === undefined ? '' : ` in the arguments of ${context}`;
        return fail('mapping.syntax', `expected a value but found ${describe(t)}${where}`, t.at);
      }
    }
  }

  function identifier(t: Token & { type: 'ident' }, depth: number): Node {
    if (peek().type === '(') return call(t, depth);
    const lower = t.name.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true', at: t.at };
    const constant = constants.get(lower);
    if (constant !== undefined) return { kind: 'constant', name: constant, at: t.at };
    if (isFunctionName(t.name)) fail('mapping.syntax', `${t.name} is a function: write ${t.name}()`, t.at);
    return fail(
      'mapping.syntax',
      `unknown name '${t.name}': attribute names go in brackets ([${t.name}]) and functions take parentheses`,
      t.at,
    );
  }

  function call(name: Token & { type: 'ident' }, depth: number): Node {
    if (depth >= MAX_DEPTH) {
      fail('mapping.syntax', `expression is nested more than ${MAX_DEPTH} function calls deep`, name.at);
    }
    next(); // the '('
    const args: Node[] = [];
    if (peek().type === ')') {
      next();
      return { kind: 'call', name: name.name, args, at: name.at };
    }
    for (;;) {
      const t = peek();
      if (t.type === ',' || t.type === ')') args.push({ kind: 'omitted', at: t.at });
      else args.push(expression(depth + 1, name.name));
      const sep = next();
      if (sep.type === ')') return { kind: 'call', name: name.name, args, at: name.at };
      if (sep.type !== ',') {
        const hint = sep.type === 'eof' ? ` (missing ')' for ${name.name})` : '';
        fail(
          'mapping.syntax',
          `expected ',' or ')' after argument ${args.length} of ${name.name} but found ${describe(sep)}${hint}`,
          sep.at,
        );
      }
    }
  }
}

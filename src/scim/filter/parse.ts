import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.ts';
import { formatAttrPath } from './format.ts';
import { describeToken, MAX_LENGTH, quote, SyntaxProblem, type Token, tokenize } from './lexer.ts';

const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
const URN_START = /^urn:/i;
// Colon-separated, non-empty segments after "urn"; the segments themselves may hold dots (`2.0`).
const URN = /^urn(?::[^:]+)+$/i;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const OPERATORS: ReadonlySet<string> = new Set<CompareOp>([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
const LITERALS: ReadonlyMap<string, CompareValue> = new Map<string, CompareValue>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

function isOperator(word: string): word is CompareOp {
  return OPERATORS.has(word);
}

export function isAttrName(text: string): boolean {
  return ATTR_NAME.test(text);
}

/** Parses a filter (RFC 7644 §3.4.2.2). Never throws: every problem is a 400 `invalidFilter`. */
export function parseFilter(text: string): ScimResult<Filter> {
  if (text.length > MAX_LENGTH) {
    return scimErr(
      400,
      'invalidFilter',
      `filter is too long: ${text.length} characters, the limit is ${MAX_LENGTH}`,
    );
  }
  try {
    const tokens = tokenize(text);
    if (tokens[0]?.type === 'end') return scimErr(400, 'invalidFilter', 'empty filter');
    return scimOk(new FilterParser(tokens).parseToEnd());
  } catch (error) {
    if (error instanceof SyntaxProblem) return scimErr(400, 'invalidFilter', error.message);
    throw error;
  }
}

/**
 * `[URI ":"] ATTRNAME *1subAttr`. A URN-qualified path splits on its last colon first, because schema
 * URNs contain dots (`...:enterprise:2.0:User:manager.value`) but attribute names never contain colons.
 */
export function parseAttrPath(word: string, pos: number): AttrPath {
  let uri: string | null = null;
  let rest = word;
  if (URN_START.test(word)) {
    const colon = word.lastIndexOf(':');
    uri = word.slice(0, colon);
    rest = word.slice(colon + 1);
    if (!URN.test(uri)) {
      throw new SyntaxProblem(
        `invalid attribute path ${quote(word)} at position ${pos}: expected urn:<schema>:<attribute>`,
      );
    }
  } else if (word.includes(':')) {
    throw new SyntaxProblem(
      `invalid attribute path ${quote(word)} at position ${pos}: a schema URI must start with "urn:"`,
    );
  }
  const dot = rest.indexOf('.');
  const name = dot === -1 ? rest : rest.slice(0, dot);
  const subAttr = dot === -1 ? null : rest.slice(dot + 1);
  if (!isAttrName(name) || (subAttr !== null && !isAttrName(subAttr))) {
    throw new SyntaxProblem(
      `invalid attribute path ${quote(word)} at position ${pos}: expected name or name.subAttribute, ` +
        'each a letter followed by letters, digits, "-" or "_"',
    );
  }
  return { uri, name, subAttr };
}

/**
 * Recursive descent over the token list: or → and → unary (`not (...)`, `(...)`, attribute expression).
 * `and`/`or` chains are loops, so recursion happens only at "(" and "[", which the lexer caps in depth.
 * `scope` is the multi-valued attribute whose value filter is being parsed, or null at the top level.
 */
export class FilterParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    const last = this.tokens[this.tokens.length - 1] ?? { type: 'end', pos: 0 };
    return this.tokens[this.index + offset] ?? last;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index++;
    return token;
  }

  parseToEnd(): Filter {
    const filter = this.parseOr(null);
    this.expectCloser('end');
    return filter;
  }

  /** Consumes `[valFilter]` after `path` (whose word token was `at`). Shared with PATCH path parsing. */
  parseValueFilter(path: AttrPath, at: Token & { type: 'word' }): Filter {
    if (path.subAttr !== null) {
      throw new SyntaxProblem(
        `a value filter must follow an attribute without a sub-attribute, not ${quote(at.text)} at position ${at.pos}`,
      );
    }
    this.next();
    const filter = this.parseOr(formatAttrPath(path));
    this.expectCloser(']');
    return filter;
  }

  private parseOr(scope: string | null): Filter {
    let left = this.parseAnd(scope);
    while (this.atKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(scope) };
    }
    return left;
  }

  private parseAnd(scope: string | null): Filter {
    let left = this.parseUnary(scope);
    while (this.atKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(scope) };
    }
    return left;
  }

  private parseUnary(scope: string | null): Filter {
    const token = this.peek();
    if (token.type === '(') {
      this.next();
      const inner = this.parseOr(scope);
      this.expectCloser(')');
      return inner;
    }
    if (this.atKeyword('not') && this.negationFollows()) {
      this.next();
      this.next();
      const inner = this.parseOr(scope);
      this.expectCloser(')');
      return { kind: 'not', filter: inner };
    }
    return this.parseAttrExpression(scope);
  }

  /**
   * `not` is also a legal attribute name (`not pr`, `not[...]`), so it negates only when "(" follows, which
   * the RFC requires anyway. Anything else after it is reported as the likelier mistake: missing parentheses.
   */
  private negationFollows(): boolean {
    const after = this.peek(1);
    if (after.type === '(') return true;
    if (after.type === '[') return false;
    if (after.type === 'word') {
      const word = after.text.toLowerCase();
      if (word === 'pr' || isOperator(word)) return false;
    }
    throw new SyntaxProblem(
      `expected "(" after "not" at position ${after.pos}, found ${describeToken(after)}`,
    );
  }

  private parseAttrExpression(scope: string | null): Filter {
    const token = this.next();
    if (token.type !== 'word') {
      throw new SyntaxProblem(
        `expected an attribute path at position ${token.pos}, found ${describeToken(token)}`,
      );
    }
    const path = parseAttrPath(token.text, token.pos);
    if (scope !== null && (path.uri !== null || path.subAttr !== null)) {
      throw new SyntaxProblem(
        `inside the value filter of ${quote(scope)}, ${quote(token.text)} at position ${token.pos} ` +
          'must be a plain sub-attribute name',
      );
    }
    if (this.peek().type === '[') return this.parseValuePath(path, token, scope);

    const opToken = this.next();
    const op = opToken.type === 'word' ? opToken.text.toLowerCase() : '';
    if (opToken.type !== 'word' || op === 'and' || op === 'or') {
      throw new SyntaxProblem(
        `expected a comparison operator after ${quote(token.text)} at position ${opToken.pos}, ` +
          `found ${describeToken(opToken)}`,
      );
    }
    if (op === 'pr') {
      const extra = this.peek();
      if (looksLikeValue(extra)) {
        throw new SyntaxProblem(
          `"pr" takes no value, found ${describeToken(extra)} at position ${extra.pos}`,
        );
      }
      return { kind: 'present', path };
    }
    if (!isOperator(op))
      throw new SyntaxProblem(`unknown operator ${quote(opToken.text)} at position ${opToken.pos}`);
    return { kind: 'compare', path, op, value: this.parseValue(op) };
  }

  private parseValuePath(path: AttrPath, at: Token & { type: 'word' }, scope: string | null): Filter {
    if (scope !== null) {
      throw new SyntaxProblem(
        `value filters cannot be nested: "[" at position ${this.peek().pos} inside the value filter of ${quote(scope)}`,
      );
    }
    const filter = this.parseValueFilter(path, at);
    const follow = this.peek();
    if (follow.type === 'word' && follow.text.startsWith('.')) {
      throw new SyntaxProblem(
        `unexpected sub-attribute ${quote(follow.text)} at position ${follow.pos}: in a filter a value filter ` +
          'cannot be followed by a sub-attribute (that form is only for PATCH paths); ' +
          'put the condition inside the brackets instead',
      );
    }
    return { kind: 'valuePath', path, filter };
  }

  private parseValue(op: CompareOp): CompareValue {
    const token = this.next();
    if (token.type === 'string') return token.value;
    if (token.type !== 'word') {
      throw new SyntaxProblem(
        `expected a value after "${op}" at position ${token.pos}, found ${describeToken(token)}`,
      );
    }
    const literal = LITERALS.get(token.text.toLowerCase());
    if (literal !== undefined) return literal;
    if (JSON_NUMBER.test(token.text)) {
      const number = Number(token.text);
      if (!Number.isFinite(number)) {
        throw new SyntaxProblem(`number ${quote(token.text)} at position ${token.pos} is out of range`);
      }
      return number;
    }
    throw new SyntaxProblem(
      `invalid value ${quote(token.text)} at position ${token.pos}: expected a quoted string, a number, ` +
        'true, false or null',
    );
  }

  private expectCloser(closer: ')' | ']' | 'end'): void {
    const token = this.next();
    if (token.type === closer) return;
    const wanted = closer === 'end' ? 'the end of the filter' : `"${closer}"`;
    throw new SyntaxProblem(
      `expected "and", "or" or ${wanted} at position ${token.pos}, found ${describeToken(token)}`,
    );
  }

  private atKeyword(keyword: 'and' | 'or' | 'not'): boolean {
    const token = this.peek();
    return token.type === 'word' && token.text.toLowerCase() === keyword;
  }
}

function looksLikeValue(token: Token): boolean {
  if (token.type === 'string') return true;
  return token.type === 'word' && (LITERALS.has(token.text.toLowerCase()) || JSON_NUMBER.test(token.text));
}

/**
 * Tokens of the SCIM filter language (RFC 7644 §3.4.2.2). Words are maximal runs of anything that is not
 * whitespace, a bracket, a parenthesis or a quote: the parser decides whether a word is an attribute path,
 * an operator, a keyword or a literal, because the same spelling (`not`, `pr`, `and`) can be any of them
 * depending on where it stands.
 */
export type Token =
  | { type: 'word'; text: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: '(' | ')' | '[' | ']'; pos: number }
  | { type: 'end'; pos: number };

/**
 * A syntax problem at a known position. Only the parsers in this folder throw and catch it, so deep call
 * chains stay readable; the exported functions turn it into a ScimResult and never let it escape.
 */
export class SyntaxProblem extends Error {
  override readonly name = 'SyntaxProblem';
}

/** Bounds that keep every input cheap and the recursive parser well inside the call stack. */
export const MAX_LENGTH = 10_000;
export const MAX_DEPTH = 50;

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function endsWord(c: string): boolean {
  return isWhitespace(c) || c === '(' || c === ')' || c === '[' || c === ']' || c === '"';
}

/** Shortens user text quoted back in an error message, so a 10,000-character word cannot flood the log. */
export function quote(text: string): string {
  return `"${text.length > 40 ? text.slice(0, 40) + '…' : text}"`;
}

export function describeToken(t: Token): string {
  switch (t.type) {
    case 'end':
      return 'end of input';
    case 'word':
      return quote(t.text);
    case 'string':
      return `string ${quote(t.value)}`;
    default:
      return `"${t.type}"`;
  }
}

/** Splits `text` into tokens ending with an `end` token, and checks bracket balance and nesting depth. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (isWhitespace(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: c, pos: i });
      i++;
    } else if (c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ type: 'string', value, pos: i });
      i = end;
    } else {
      const start = i;
      while (i < text.length && !endsWord(text.charAt(i))) i++;
      tokens.push({ type: 'word', text: text.slice(start, i), pos: start });
    }
  }
  tokens.push({ type: 'end', pos: text.length });
  checkNesting(tokens);
  return tokens;
}

/**
 * Reads a JSON string literal. Raw control characters are accepted (strict JSON would refuse them) because
 * a client that forgot to escape a tab meant the tab; bad escapes are refused since their meaning is unknown.
 */
function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    if (i + 1 >= text.length) break;
    const escaped = text.charAt(i + 1);
    if (escaped === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!HEX4.test(hex)) {
        throw new SyntaxProblem(`invalid escape "\\u" in string at position ${i}: expected four hex digits`);
      }
      // Code units, not code points: a lone surrogate escape must survive a round trip unchanged.
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
      continue;
    }
    const decoded = ESCAPES.get(escaped);
    if (decoded === undefined)
      throw new SyntaxProblem(`invalid escape "\\${escaped}" in string at position ${i}`);
    value += decoded;
    i += 2;
  }
  throw new SyntaxProblem(`unterminated string starting at position ${start}`);
}

const CLOSER_OF = { '(': ')', '[': ']' } as const;
const NOUN = { '(': 'parenthesis', ')': 'parenthesis', '[': 'bracket', ']': 'bracket' } as const;

/**
 * Balance is checked before parsing so the messages can name both ends of a mismatch, and the depth bound
 * here is what keeps the recursive descent parser from ever overflowing the stack: it recurses only on
 * "(" and "[" (including `not (`).
 */
function checkNesting(tokens: readonly Token[]): void {
  const open: { type: '(' | '['; pos: number }[] = [];
  for (const t of tokens) {
    if (t.type === '(' || t.type === '[') {
      open.push({ type: t.type, pos: t.pos });
      if (open.length > MAX_DEPTH) {
        throw new SyntaxProblem(
          `filter is nested too deeply: more than ${MAX_DEPTH} levels of parentheses or brackets at position ${t.pos}`,
        );
      }
    } else if (t.type === ')' || t.type === ']') {
      const opener = open.pop();
      if (!opener) {
        const expected = t.type === ')' ? '(' : '[';
        throw new SyntaxProblem(
          `unbalanced ${NOUN[t.type]}: "${t.type}" at position ${t.pos} has no matching "${expected}"`,
        );
      }
      if (CLOSER_OF[opener.type] !== t.type) {
        throw new SyntaxProblem(
          `unbalanced ${NOUN[opener.type]}: "${opener.type}" at position ${opener.pos} is closed by "${t.type}" at position ${t.pos}`,
        );
      }
    }
  }
  const unclosed = open.pop();
  if (unclosed) {
    throw new SyntaxProblem(
      `unbalanced ${NOUN[unclosed.type]}: "${unclosed.type}" at position ${unclosed.pos} is never closed`,
    );
  }
}

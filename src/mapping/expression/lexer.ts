import type { CompareOperator } from './ast.ts';
import { fail, type Position } from './errors.ts';

export type Token =
  | { readonly type: 'string'; readonly value: string; readonly at: Position }
  | { readonly type: 'number'; readonly value: number; readonly raw: string; readonly at: Position }
  | { readonly type: 'attribute'; readonly name: string; readonly at: Position }
  | { readonly type: 'ident'; readonly name: string; readonly at: Position }
  | { readonly type: 'op'; readonly op: CompareOperator; readonly at: Position }
  | { readonly type: '(' | ')' | ','; readonly at: Position }
  | { readonly type: 'eof'; readonly at: Position };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isHex = (c: string | undefined) => c !== undefined && /[0-9A-Fa-f]/.test(c);

/**
 * Turns expression text into tokens. It is a single forward scan (no recursion), so input size bounds
 * the work and hostile input cannot exhaust the stack here.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const here = (): Position => ({ line, column });
  const peek = (offset = 0) => text[i + offset];
  // Advances over one code point, keeping line and column (code points, not UTF-16 units) current.
  const advance = (): string => {
    const c = text[i] ?? '';
    const code = c.charCodeAt(0);
    const pair = code >= 0xd800 && code <= 0xdbff && /[\udc00-\udfff]/.test(text[i + 1] ?? '');
    const taken = pair ? text.slice(i, i + 2) : c;
    i += taken.length;
    if (c === '\n' || (c === '\r' && text[i] !== '\n')) {
      line += 1;
      column = 1;
    } else if (c !== '\r') {
      column += 1;
    }
    return taken;
  };

  while (i < text.length) {
    const c = text[i];
    if (c === undefined) break;
    if (/\s/.test(c)) {
      advance();
      continue;
    }
    const at = here();
    if (c === '"') {
      tokens.push({ type: 'string', value: readString(at), at });
    } else if (c === '[') {
      tokens.push({ type: 'attribute', name: readAttribute(at), at });
    } else if (isDigit(c) || (c === '-' && isDigit(peek(1)))) {
      const start = i;
      advance();
      while (isDigit(peek())) advance();
      if (peek() === '.' && isDigit(peek(1))) {
        advance();
        while (isDigit(peek())) advance();
      }
      const raw = text.slice(start, i);
      tokens.push({ type: 'number', value: Number(raw), raw, at });
    } else if (c === '-') {
      fail('mapping.syntax', "expected a number after '-'", at);
    } else if (c === '&') {
      // VBA hexadecimal literal, as in Entra's documented BitAnd(&HF, &HF7).
      if ((peek(1) === 'H' || peek(1) === 'h') && isHex(peek(2))) {
        const start = i;
        advance();
        advance();
        while (isHex(peek())) advance();
        const raw = text.slice(start, i);
        tokens.push({ type: 'number', value: Number.parseInt(raw.slice(2), 16), raw, at });
      } else {
        fail('mapping.syntax', "expected a hexadecimal number such as &HF7 after '&'", at);
      }
    } else if (isIdentStart(c)) {
      const start = i;
      while (isIdentPart(peek())) advance();
      tokens.push({ type: 'ident', name: text.slice(start, i), at });
    } else if (c === '(' || c === ')' || c === ',') {
      advance();
      tokens.push({ type: c, at });
    } else if (c === '=' || c === '<' || c === '>') {
      tokens.push({ type: 'op', op: readOperator(c, at), at });
    } else if (c === '!' && peek(1) === '=') {
      fail('mapping.syntax', "'!=' is not an operator here: write <> for 'not equal'", at);
    } else if (c === ']') {
      fail('mapping.syntax', "unexpected ']' without a matching '['", at);
    } else if (c === "'") {
      fail('mapping.syntax', 'string constants use double quotes ("..."), not single quotes', at);
    } else {
      fail('mapping.syntax', `unexpected character '${String.fromCodePoint(text.codePointAt(i) ?? 0)}'`, at);
    }
  }
  tokens.push({ type: 'eof', at: here() });
  return tokens;

  function readOperator(c: string, at: Position): CompareOperator {
    advance();
    const next = peek();
    if (c === '=') {
      if (next === '=') fail('mapping.syntax', "'==' is not an operator here: write = for equality", here());
      return '=';
    }
    if (c === '<' && next === '>') {
      advance();
      return '<>';
    }
    if (next === '=') {
      advance();
      return c === '<' ? '<=' : '>=';
    }
    if (c === '>' && next === '<') fail('mapping.syntax', "'><' is not an operator: write <>", at);
    return c === '<' ? '<' : '>';
  }

  /**
   * Entra documents two escapes, \" and \\. Any other backslash is kept as written: expressions in
   * Microsoft's own examples pass regex escapes such as "\+" and "\d" with a single backslash.
   */
  function readString(at: Position): string {
    advance();
    let out = '';
    for (;;) {
      const c = peek();
      if (c === undefined) fail('mapping.syntax', 'unterminated string: no closing double quote', at);
      if (c === '"') {
        advance();
        return out;
      }
      if (c === '\\' && (peek(1) === '"' || peek(1) === '\\')) {
        advance();
        out += advance();
        continue;
      }
      out += advance();
    }
  }

  /**
   * The attribute name is everything between the outermost brackets. Brackets may nest (SCIM filters such
   * as [emails[type eq "work"].value]) and a ']' inside a quoted filter value does not close anything.
   */
  function readAttribute(at: Position): string {
    advance();
    const start = i;
    let depth = 1;
    let inQuote = false;
    for (;;) {
      const c = peek();
      if (c === undefined || c === '\n' || c === '\r') {
        fail('mapping.syntax', "unterminated attribute reference: '[' has no matching ']' on its line", at);
      }
      if (inQuote) {
        if (c === '\\' && peek(1) !== undefined && peek(1) !== '\n') advance();
        else if (c === '"') inQuote = false;
      } else if (c === '"') {
        inQuote = true;
      } else if (c === '[') {
        depth += 1;
      } else if (c === ']') {
        depth -= 1;
        if (depth === 0) {
          const name = text.slice(start, i);
          advance();
          if (name.trim() === '') fail('mapping.syntax', 'empty attribute name: write [attributeName]', at);
          return name;
        }
      }
      advance();
    }
  }
}

import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import type { Filter, PatchPath } from './ast.ts';
import { describeToken, MAX_LENGTH, quote, SyntaxProblem, type Token, tokenize } from './lexer.ts';
import { FilterParser, isAttrName, parseAttrPath } from './parse.ts';

/**
 * Parses a PATCH operation's `path` (RFC 7644 §3.5.2: `attrPath / valuePath [subAttr]`). Never throws:
 * every problem is a 400 `invalidPath`.
 */
export function parsePatchPath(text: string): ScimResult<PatchPath> {
  if (text.length > MAX_LENGTH) {
    return scimErr(
      400,
      'invalidPath',
      `path is too long: ${text.length} characters, the limit is ${MAX_LENGTH}`,
    );
  }
  try {
    return scimOk(readPath(new FilterParser(tokenize(text))));
  } catch (error) {
    if (error instanceof SyntaxProblem) return scimErr(400, 'invalidPath', error.message);
    throw error;
  }
}

function readPath(parser: FilterParser): PatchPath {
  const first = parser.next();
  if (first.type === 'end') throw new SyntaxProblem('empty path');
  if (first.type !== 'word') {
    throw new SyntaxProblem(
      `expected an attribute path at position ${first.pos}, found ${describeToken(first)}`,
    );
  }
  const attr = parseAttrPath(first.text, first.pos);
  if (parser.peek().type !== '[') {
    expectEnd(parser.next(), 'after the path');
    return { attr, filter: null, subAttr: null };
  }

  const filter: Filter = parser.parseValueFilter(attr, first);
  let subAttr: string | null = null;
  const follow = parser.peek();
  if (follow.type === 'word' && follow.text.startsWith('.')) {
    parser.next();
    subAttr = follow.text.slice(1);
    if (!isAttrName(subAttr)) {
      throw new SyntaxProblem(
        `invalid sub-attribute ${quote(follow.text)} at position ${follow.pos} after the value filter`,
      );
    }
  }
  const where =
    subAttr === null
      ? 'after the value filter (expected ".subAttribute" or the end of the path)'
      : 'after the sub-attribute';
  expectEnd(parser.next(), where);
  return { attr, filter, subAttr };
}

function expectEnd(token: Token, where: string): void {
  if (token.type !== 'end') {
    throw new SyntaxProblem(`unexpected ${describeToken(token)} at position ${token.pos} ${where}`);
  }
}

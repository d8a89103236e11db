/**
 * Regular expressions for REGEX MATCH / NOT REGEX MATCH clauses. Patterns come from administrators and
 * run against every HR record, so they are compiled once and screened for the shapes that make a
 * backtracking engine take exponential time.
 *
 * Entra evaluates these with .NET's Regex.IsMatch: an unanchored search, case-sensitive unless the pattern
 * says otherwise. JavaScript's RegExp#test without flags behaves the same for the patterns Entra's docs
 * show. Deliberately no `u` flag: .NET accepts identity escapes such as `\@` (Entra's own example is
 * `.*\@domain.com`), which the `u` flag rejects.
 */

/** Longer than any scoping pattern in practice; the cap bounds compile and match cost. */
export const MAX_PATTERN_LENGTH = 256;

export type CompiledRegex = { ok: true; regex: RegExp } | { ok: false; message: string };

/** .NET's inline case-insensitive option, common in Entra filters; JavaScript (Node 20) has no `(?i)`. */
const CASE_INSENSITIVE_PREFIX = '(?i)';

export function compileScopingRegex(pattern: string): CompiledRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `regular expression is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  let source = pattern;
  let flags = '';
  if (source.startsWith(CASE_INSENSITIVE_PREFIX)) {
    source = source.slice(CASE_INSENSITIVE_PREFIX.length);
    flags = 'i';
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { ok: false, message: `invalid regular expression: ${reason}` };
  }
  const nested = nestedQuantifier(source);
  if (nested !== undefined) {
    return {
      ok: false,
      message: `regular expression has a repeated group that itself repeats (${nested}), which can take exponential time; rewrite it without the nested repetition`,
    };
  }
  return { ok: true, regex };
}

interface Quantifier {
  end: number;
  /** Can match its operand more than once (`*`, `+`, `{2}`, `{1,3}`, `{0,}`). */
  repeats: boolean;
  /** Has no upper bound (`*`, `+`, `{n,}`). */
  unbounded: boolean;
}

/** Reads a `{n}`, `{n,}` or `{n,m}` quantifier at `i`; undefined when the brace is a literal. */
function braceQuantifier(p: string, i: number): Quantifier | undefined {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
  if (m === null) return undefined;
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
  return { end: i + m[0].length, repeats: max > 1, unbounded: max === Number.POSITIVE_INFINITY };
}

/**
 * Finds a group that contains a repeating quantifier and is itself repeated without bound, such as
 * `(a+)+`, `(\d*)*`, `(a{1,3})+`, `((ab)+c){2,}` — the classic catastrophic-backtracking shape. Returns
 * the offending text, or undefined. A bounded outer repeat passes, so the everyday `(\d{1,3}\.){3}` is
 * fine; `?` alone never counts. It does not catch every slow pattern (overlapping alternatives like
 * `(a|a)+` pass), but with the length cap it rules out the usual accidents.
 */
export function nestedQuantifier(p: string): string | undefined {
  // One frame per open group: where it starts and whether anything inside it repeats.
  const frames: { start: number; repeats: boolean }[] = [{ start: 0, repeats: false }];
  // The group that just closed, if the previous token was `)`.
  let closed: { start: number; repeats: boolean } | undefined;
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    let quantifier: Quantifier | undefined;
    if (c === '*' || c === '+') quantifier = { end: i + 1, repeats: true, unbounded: true };
    else if (c === '?') quantifier = { end: i + 1, repeats: false, unbounded: false };
    else if (c === '{') quantifier = braceQuantifier(p, i);
    if (quantifier !== undefined) {
      if (quantifier.unbounded && closed?.repeats) return p.slice(closed.start, quantifier.end);
      if (quantifier.repeats) {
        const frame = frames[frames.length - 1];
        if (frame !== undefined) frame.repeats = true;
      }
      i = quantifier.end;
      if (p[i] === '?') i++; // lazy form
      closed = undefined;
      continue;
    }
    closed = undefined;
    if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i = endOfClass(p, i);
    } else if (c === '(') {
      frames.push({ start: i, repeats: false });
      i++;
    } else if (c === ')') {
      const frame = frames.pop();
      if (frame !== undefined) {
        const parent = frames[frames.length - 1];
        // A group that repeats inside makes its enclosing group repeat inside too: ((a+)b)* is nested.
        if (parent !== undefined && frame.repeats) parent.repeats = true;
        closed = frame;
      }
      i++;
    } else {
      i++;
    }
  }
  return undefined;
}

/** Index just past the `]` closing the character class opened at `i` (quantifier characters inside are literal). */
function endOfClass(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
  return j + 1;
}

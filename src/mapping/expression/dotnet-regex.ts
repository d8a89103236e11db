/**
 * .NET regular expressions and replacement patterns, translated to JavaScript. Entra evaluates Replace with
 * System.Text.RegularExpressions; the two dialects agree on everything Microsoft's examples use (classes,
 * quantifiers, lazy quantifiers, named groups (?<name>...), anchors), and this covers the common differences:
 * leading inline options such as (?i), (?'name'...) groups, \k'name', \A and \z, and identity escapes such as
 * \: or \, which .NET accepts and JavaScript's Unicode mode rejects. Unicode mode is used only when the pattern
 * uses \p{...} categories, because it is stricter about other escapes.
 */

const syntax = new Set([...'^$\\.*+?()[]{}|/']);

export function translatePattern(pattern: string): { source: string; flags: string } {
  let flags = '';
  let body = pattern;
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline !== null) {
    for (const f of inline[1] ?? '') if (f !== 'x' && !flags.includes(f)) flags += f;
    body = body.slice(inline[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === '\\') {
      const n = body[i + 1];
      i += 1;
      if (n === undefined) {
        out += '\\';
      } else if (!inClass && n === 'A') {
        out += '^';
      } else if (!inClass && (n === 'z' || n === 'Z')) {
        out += n === 'z' ? '$(?![\\s\\S])' : '(?=\\n?$(?![\\s\\S]))';
      } else if (n === 'k' && body[i + 1] === "'") {
        const end = body.indexOf("'", i + 2);
        out += end < 0 ? "\\k'" : `\\k<${body.slice(i + 2, end)}>`;
        i = end < 0 ? i + 1 : end;
      } else if (/[0-9A-Za-z]/.test(n) || syntax.has(n) || (inClass && n === '-')) {
        out += `\\${n}`;
      } else {
        // An identity escape of a character with no special meaning: the character itself.
        out += n;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (body[i + 1] === '^') out += body[++i];
      // A ']' first in a .NET class is a literal.
      if (body[i + 1] === ']') {
        out += '\\]';
        i += 1;
      }
      continue;
    }
    if (c === '(' && body.startsWith("?'", i + 1)) {
      const end = body.indexOf("'", i + 3);
      if (end > 0) {
        out += `(?<${body.slice(i + 3, end)}>`;
        i = end;
        continue;
      }
    }
    out += c;
  }
  if (/\\[pP]\{/.test(out)) flags += 'u';
  return { source: out, flags };
}

const cache = new Map<string, RegExp | string>();

/** A global regex with match indices for a .NET pattern, or the reason it does not compile. */
export function compileRegex(pattern: string): RegExp | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let made: RegExp | string;
  try {
    const { source, flags } = translatePattern(pattern);
    made = new RegExp(source, `${flags}gd`);
  } catch (e) {
    made = `"${pattern}" is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`;
  }
  if (cache.size >= 512) cache.clear();
  cache.set(pattern, made);
  return made;
}

/** Every match of the regex in the input, advancing past empty matches as .NET does. */
export function allMatches(regex: RegExp, input: string): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  regex.lastIndex = 0;
  for (;;) {
    const m = regex.exec(input);
    if (m === null) break;
    found.push(m);
    if (m[0] === '') regex.lastIndex += regex.unicode && (input.codePointAt(m.index) ?? 0) > 0xffff ? 2 : 1;
    if (regex.lastIndex > input.length) break;
  }
  regex.lastIndex = 0;
  return found;
}

/**
 * Expands a .NET replacement pattern for one match: $1 or ${1}, ${name}, $$, $&, $`, $', $+ (last group)
 * and $_ (the whole input). A reference to a group that does not exist stays as written, as in .NET.
 */
export function expandReplacement(replacement: string, m: RegExpExecArray, input: string): string {
  if (!replacement.includes('$')) return replacement;
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c !== '$' || i + 1 >= replacement.length) {
      out += c;
      continue;
    }
    const n = replacement[i + 1] ?? '';
    if (n === '$') {
      out += '$';
      i += 1;
    } else if (n === '&') {
      out += m[0];
      i += 1;
    } else if (n === '`') {
      out += input.slice(0, m.index);
      i += 1;
    } else if (n === "'") {
      out += input.slice(m.index + m[0].length);
      i += 1;
    } else if (n === '+') {
      out += m.length > 1 ? (m[m.length - 1] ?? '') : '';
      i += 1;
    } else if (n === '_') {
      out += input;
      i += 1;
    } else if (n === '{') {
      const end = replacement.indexOf('}', i + 2);
      const name = end < 0 ? '' : replacement.slice(i + 2, end);
      const value = groupValue(m, name);
      if (value === undefined) {
        out += c;
      } else {
        out += value;
        i = end;
      }
    } else if (/[0-9]/.test(n)) {
      // The longest run of digits that names an existing group.
      let digits = (/^[0-9]+/.exec(replacement.slice(i + 1)) ?? [''])[0];
      while (digits.length > 0 && Number(digits) >= m.length) digits = digits.slice(0, -1);
      if (digits === '') {
        out += c;
      } else {
        out += m[Number(digits)] ?? '';
        i += digits.length;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** A group's text by name or number; '' when it did not take part, undefined when there is no such group. */
export function groupValue(m: RegExpExecArray, name: string): string | undefined {
  if (/^[0-9]+$/.test(name)) {
    const index = Number(name);
    return index < m.length ? (m[index] ?? '') : undefined;
  }
  if (m.groups === undefined || !(name in m.groups)) return undefined;
  return m.groups[name] ?? '';
}

/** Start and end of a group in the input, when it took part in the match. */
export function groupSpan(m: RegExpExecArray, name: string): readonly [number, number] | undefined {
  const indices = m.indices;
  if (indices === undefined) return undefined;
  if (/^[0-9]+$/.test(name)) return indices[Number(name)];
  return indices.groups?.[name];
}

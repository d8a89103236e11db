import { normalizeDiacritics } from '../diacritics.ts';
import { base64, hex, utf8, utf16le } from '../encodings.ts';
import { type Arg, argumentError, eager, type FunctionSpec, runtimeError, type Site } from '../runtime.ts';
import { asNumber, integer, one, text, textOrEmpty, type Val } from '../values.ts';

/** A one-argument string transform; no value passes through as no value. */
function transform(name: string, param: string, f: (s: string) => string): FunctionSpec {
  return eager({ name, params: [param], min: 1, max: 1 }, ([v], site) => {
    const s = text(v ?? null, site, param);
    return s === null ? null : f(s);
  });
}

const append = eager({ name: 'Append', params: ['source', 'suffix'], min: 2, max: 2 }, ([a, b], site) => {
  return textOrEmpty(a ?? null, site, 'source') + textOrEmpty(b ?? null, site, 'suffix');
});

const convertToBase64 = transform('ConvertToBase64', 'source', (s) => base64(utf16le(s)));
const convertToUtf8Hex = transform('ConvertToUTF8Hex', 'source', (s) => hex(utf8(s)));
const cstr = transform('CStr', 'value', (s) => s);
const stripSpaces = transform('StripSpaces', 'source', (s) => s.replaceAll(' ', ''));
const normalize = transform('NormalizeDiacritics', 'source', normalizeDiacritics);

/** InStr's compareType: vbBinaryCompare (0, the default) or vbTextCompare (1), as constant, number or name. */
function textCompare(v: Val, site: Site): boolean {
  const s = one(v, site, 'compareType');
  if (s === null) return false;
  const n = asNumber(s);
  if (n === 0 || n === 1) return n === 1;
  const name = typeof s === 'string' ? s.trim().toLowerCase() : '';
  if (name === 'vbbinarycompare' || name === 'binary') return false;
  if (name === 'vbtextcompare' || name === 'text') return true;
  return runtimeError(site, 'compareType must be vbBinaryCompare or vbTextCompare');
}

const instr = eager(
  {
    name: 'InStr',
    params: ['value1', 'value2', 'start', 'compareType'],
    min: 2,
    max: 4,
    omittable: (i) => i >= 2,
  },
  ([v1, v2, start, compareType], site) => {
    let haystack = textOrEmpty(v1 ?? null, site, 'value1');
    let needle = textOrEmpty(v2 ?? null, site, 'value2');
    const from = start === undefined || start === null ? 1 : integer(start, site, 'start');
    if (from < 1) runtimeError(site, `start must be 1 or more, not ${from}`);
    // Visual Basic's rules: nothing to search finds nothing; an empty needle is found where the search starts.
    if (haystack === '' || from > haystack.length) return 0;
    if (needle === '') return from;
    if (textCompare(compareType ?? null, site)) {
      haystack = haystack.toLowerCase();
      needle = needle.toLowerCase();
    }
    return haystack.indexOf(needle, from - 1) + 1;
  },
);

const left = eager({ name: 'Left', params: ['String', 'NumChars'], min: 2, max: 2 }, ([v, count], site) => {
  const s = textOrEmpty(v ?? null, site, 'String');
  const n = integer(count ?? null, site, 'NumChars');
  if (n < 0) return s;
  return s.slice(0, n);
});

const mid = eager(
  { name: 'Mid', params: ['source', 'start', 'length'], min: 3, max: 3 },
  ([v, start, length], site) => {
    const s = textOrEmpty(v ?? null, site, 'source');
    const from = integer(start ?? null, site, 'start');
    const n = integer(length ?? null, site, 'length');
    if (from < 1) runtimeError(site, `start must be 1 or more (the first character is 1), not ${from}`);
    if (n < 0) runtimeError(site, `length must not be negative, not ${n}`);
    return s.slice(from - 1, from - 1 + n);
  },
);

// .NET ToTitleCase treats these Unicode categories as word separators; Entra's PCase documents the same list.
const separator = /[\p{Z}\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]/u;
const letter = /\p{L}/u;

/**
 * Lower-cases everything, then upper-cases the first letter of each word. As in .NET's ToTitleCase, which
 * Entra documents PCase as calling, a word begins at a letter, and a digit neither starts nor ends one:
 * "a1b" becomes "A1b" and "3rd" becomes "3Rd".
 */
function properCase(s: string, isSeparator: (c: string) => boolean): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    if (isSeparator(c)) {
      inWord = false;
      out += c;
    } else if (letter.test(c)) {
      out += inWord ? c.toLowerCase() : c.toUpperCase();
      inWord = true;
    } else {
      out += c;
    }
  }
  return out;
}

const pcase = eager(
  { name: 'PCase', params: ['source', 'wordSeparators'], min: 1, max: 2, omittable: (i) => i === 1 },
  ([v, seps], site) => {
    const s = text(v ?? null, site, 'source');
    if (s === null) return null;
    const custom = seps === undefined ? null : text(seps, site, 'wordSeparators');
    if (custom === null) return properCase(s, (c) => separator.test(c));
    const set = new Set(custom);
    return properCase(s, (c) => set.has(c));
  },
);

/** ToLower/ToUpper: invariant by default; a culture name (RFC 4646, e.g. "tr-TR") applies that locale's rules. */
function caseChange(name: string, lower: boolean): FunctionSpec {
  const check = (culture: string): string | undefined => {
    try {
      Intl.getCanonicalLocales(culture);
      return undefined;
    } catch {
      return `"${culture}" is not a culture name such as en-US or tr-TR`;
    }
  };
  return {
    name,
    params: ['source', 'culture'],
    min: 1,
    max: 2,
    omittable: (i) => i === 1,
    build: (args: readonly Arg[], site: Site) => {
      const cultureArg = args[1];
      if (cultureArg !== undefined && typeof cultureArg.literal === 'string' && cultureArg.literal !== '') {
        const problem = check(cultureArg.literal);
        if (problem !== undefined) argumentError(site, cultureArg, problem);
      }
      const [source, culture] = args;
      return (st) => {
        const s = text(source?.run(st) ?? null, site, 'source');
        if (s === null) return null;
        const c = culture === undefined ? null : text(culture.run(st), site, 'culture');
        if (c === null || c === '') return lower ? s.toLowerCase() : s.toUpperCase();
        const problem = check(c);
        if (problem !== undefined) runtimeError(site, problem);
        return lower ? s.toLocaleLowerCase(c) : s.toLocaleUpperCase(c);
      };
    },
  };
}

const word = eager(
  { name: 'Word', params: ['String', 'WordNumber', 'Delimiters'], min: 3, max: 3 },
  ([v, number, delimiters], site) => {
    const s = text(v ?? null, site, 'String');
    const n = integer(number ?? null, site, 'WordNumber');
    if (s === null || n < 1) return '';
    const set = new Set(textOrEmpty(delimiters ?? null, site, 'Delimiters'));
    // Runs of delimiters separate two words; they do not make empty words.
    const words: string[] = [];
    let current = '';
    for (const c of s) {
      if (set.has(c)) {
        if (current !== '') words.push(current);
        current = '';
      } else {
        current += c;
      }
    }
    if (current !== '') words.push(current);
    return words[n - 1] ?? '';
  },
);

export const stringFunctions: readonly FunctionSpec[] = [
  append,
  convertToBase64,
  convertToUtf8Hex,
  cstr,
  instr,
  left,
  mid,
  normalize,
  pcase,
  stripSpaces,
  caseChange('ToLower', true),
  caseChange('ToUpper', false),
  word,
];

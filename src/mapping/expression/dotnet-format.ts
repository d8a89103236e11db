import { type DateKind, dayNames, MS_PER_MINUTE, monthNames, partsOf } from './datetime.ts';

/**
 * .NET date and time format strings, en-US culture (Entra's Now() and CDate() output "M/d/yyyy h:mm:ss tt",
 * which is en-US's general pattern). Custom specifiers: d dd ddd dddd, f…fffffff, F…FFFFFFF, g, h hh, H HH,
 * K, m mm, M MM MMM MMMM, s ss, t tt, y yy yyy yyyy, z zz zzz, ':' '/', quoted literals, \ escapes and %.
 * A one-character format is a standard format (d D f F g G m M o O r R s t T u U y Y), as in .NET.
 */

export type FormatToken =
  | { readonly kind: 'field'; readonly letter: string; readonly count: number }
  | { readonly kind: 'literal'; readonly text: string };

const fieldLetters = new Set(['d', 'f', 'F', 'g', 'h', 'H', 'K', 'm', 'M', 's', 't', 'y', 'z']);

const standard: Readonly<Record<string, string>> = {
  d: 'M/d/yyyy',
  D: 'dddd, MMMM d, yyyy',
  f: 'dddd, MMMM d, yyyy h:mm tt',
  F: 'dddd, MMMM d, yyyy h:mm:ss tt',
  g: 'M/d/yyyy h:mm tt',
  G: 'M/d/yyyy h:mm:ss tt',
  m: 'MMMM d',
  M: 'MMMM d',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'h:mm tt',
  T: 'h:mm:ss tt',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, MMMM d, yyyy h:mm:ss tt',
  y: 'MMMM yyyy',
  Y: 'MMMM yyyy',
};

/** Standard formats that always show UTC, whatever output time zone was asked for. */
const universal = new Set(['r', 'R', 'u', 'U']);

export interface CompiledFormat {
  readonly tokens: readonly FormatToken[];
  readonly universal: boolean;
}

const cache = new Map<string, CompiledFormat | string>();
const CACHE_LIMIT = 512;

/** Compiles a format string once; returns an error message for a malformed one. */
export function compileFormat(format: string): CompiledFormat | string {
  const hit = cache.get(format);
  if (hit !== undefined) return hit;
  const made = build(format);
  // Formats usually come from literals, so a small cache covers them; clear it rather than grow unbounded.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(format, made);
  return made;
}

function build(format: string): CompiledFormat | string {
  if (format === '') return 'the format string is empty';
  if (format.length === 1) {
    const pattern = standard[format];
    if (pattern === undefined)
      return `"${format}" is not a standard format; write "%${format}" for the custom specifier`;
    const tokens = tokenizeFormat(pattern);
    return typeof tokens === 'string' ? tokens : { tokens, universal: universal.has(format) };
  }
  const tokens = tokenizeFormat(format);
  return typeof tokens === 'string' ? tokens : { tokens, universal: false };
}

function tokenizeFormat(format: string): FormatToken[] | string {
  const out: FormatToken[] = [];
  const literal = (text: string) => {
    const last = out[out.length - 1];
    if (last?.kind === 'literal') out[out.length - 1] = { kind: 'literal', text: last.text + text };
    else out.push({ kind: 'literal', text });
  };
  let i = 0;
  while (i < format.length) {
    const c = format[i] ?? '';
    if (fieldLetters.has(c)) {
      let count = 1;
      while (format[i + count] === c) count += 1;
      if ((c === 'f' || c === 'F') && count > 7) return `"${c.repeat(count)}": at most 7 ${c} specifiers`;
      out.push({ kind: 'field', letter: c, count });
      i += count;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < format.length && format[j] !== c) {
        if (format[j] === '\\' && j + 1 < format.length) j += 1;
        text += format[j];
        j += 1;
      }
      if (j >= format.length) return `unterminated quoted text in the format string "${format}"`;
      literal(text);
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= format.length) return `the format string "${format}" ends with a lone backslash`;
      literal(format[i + 1] ?? '');
      i += 2;
    } else if (c === '%') {
      const n = format[i + 1];
      if (n === undefined || !fieldLetters.has(n))
        return `'%' must be followed by a format specifier in "${format}"`;
      i += 1;
    } else {
      literal(c);
      i += 1;
    }
  }
  return out;
}

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

function offsetText(minutes: number, count: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  if (count === 1) return `${sign}${h}`;
  if (count === 2) return `${sign}${pad(h, 2)}`;
  return `${sign}${pad(h, 2)}:${pad(m, 2)}`;
}

export interface FormatOptions {
  readonly kind: DateKind;
  /** Offset of the output time zone in minutes; undefined shows UTC (the provisioning service's local time). */
  readonly offsetMinutes?: number | undefined;
}

export function formatDate(ms: number, format: CompiledFormat, options: FormatOptions): string {
  const offset = format.universal ? undefined : options.offsetMinutes;
  const p = partsOf(ms + (offset ?? 0) * MS_PER_MINUTE);
  // Ticks below the millisecond are always zero here: JavaScript dates carry milliseconds only.
  const fraction = pad(p.millisecond, 3) + '0000';
  let out = '';
  for (const t of format.tokens) {
    if (t.kind === 'literal') {
      out += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'd':
        out +=
          n === 1
            ? String(p.day)
            : n === 2
              ? pad(p.day, 2)
              : n === 3
                ? dayNames[p.dayOfWeek]?.slice(0, 3)
                : dayNames[p.dayOfWeek];
        break;
      case 'f':
        out += fraction.slice(0, n);
        break;
      case 'F': {
        const digits = fraction.slice(0, n).replace(/0+$/, '');
        // .NET drops the decimal point too when F prints nothing.
        if (digits === '' && out.endsWith('.')) out = out.slice(0, -1);
        out += digits;
        break;
      }
      case 'g':
        out += 'A.D.';
        break;
      case 'h': {
        const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
        out += n === 1 ? String(h12) : pad(h12, 2);
        break;
      }
      case 'H':
        out += n === 1 ? String(p.hour) : pad(p.hour, 2);
        break;
      case 'K':
        out += (
          offset !== undefined
            ? offsetText(offset, 3)
            : options.kind === 'utc'
              ? 'Z'
              : options.kind === 'local'
                ? '+00:00'
                : ''
        ).repeat(n);
        break;
      case 'm':
        out += n === 1 ? String(p.minute) : pad(p.minute, 2);
        break;
      case 'M':
        out +=
          n === 1
            ? String(p.month)
            : n === 2
              ? pad(p.month, 2)
              : n === 3
                ? monthNames[p.month - 1]?.slice(0, 3)
                : monthNames[p.month - 1];
        break;
      case 's':
        out += n === 1 ? String(p.second) : pad(p.second, 2);
        break;
      case 't':
        out += n === 1 ? (p.hour < 12 ? 'A' : 'P') : p.hour < 12 ? 'AM' : 'PM';
        break;
      case 'y':
        out += n === 1 ? String(p.year % 100) : n === 2 ? pad(p.year % 100, 2) : pad(p.year, n);
        break;
      case 'z':
        out += offsetText(offset ?? 0, n);
        break;
    }
  }
  return out;
}

/** Entra's rendering of a DateTime, as returned by Now(), CDate() and DateAdd(). */
const general = compileFormat('G') as CompiledFormat;
export function defaultDateText(ms: number, kind: DateKind): string {
  return formatDate(ms, general, { kind });
}

import {
  type DateKind,
  dayNames,
  daysInMonth,
  expandTwoDigitYear,
  inRange,
  MS_PER_MINUTE,
  monthNames,
  partsOf,
  utcMs,
} from './datetime.ts';
import type { CompiledFormat } from './dotnet-format.ts';

/** The DateTimeStyles flags that change how Joinery parses (the others are accepted and have no effect). */
export interface ParseStyles {
  readonly leadingWhite: boolean;
  readonly trailingWhite: boolean;
  readonly innerWhite: boolean;
  readonly noCurrentDateDefault: boolean;
  /** AssumeUniversal or AdjustToUniversal: a result without a zone is UTC rather than unspecified. */
  readonly universal: boolean;
}

/** Entra's default: RoundtripKind, AllowLeadingWhite, AllowTrailingWhite. */
export const defaultStyles: ParseStyles = {
  leadingWhite: true,
  trailingWhite: true,
  innerWhite: false,
  noCurrentDateDefault: false,
  universal: false,
};

const styleNames = new Set([
  'none',
  'allowleadingwhite',
  'allowtrailingwhite',
  'allowinnerwhite',
  'allowwhitespaces',
  'nocurrentdatedefault',
  'adjusttouniversal',
  'assumelocal',
  'assumeuniversal',
  'roundtripkind',
]);

/** Reads "AllowWhiteSpaces, AdjustToUniversal" (optionally "DateTimeStyles."-prefixed, `|` or `,` separated). */
export function parseStyles(text: string): ParseStyles | string {
  const names = text
    .split(/[\s,|+]+/)
    .filter((n) => n !== '')
    .map((n) => n.replace(/^DateTimeStyles\./i, '').toLowerCase());
  for (const n of names) if (!styleNames.has(n)) return `"${n}" is not a DateTimeStyles value`;
  const has = (n: string) => names.includes(n);
  const all = has('allowwhitespaces');
  return {
    leadingWhite: all || has('allowleadingwhite'),
    trailingWhite: all || has('allowtrailingwhite'),
    innerWhite: all || has('allowinnerwhite'),
    noCurrentDateDefault: has('nocurrentdatedefault'),
    universal: has('assumeuniversal') || has('adjusttouniversal'),
  };
}

export interface Parsed {
  readonly ms: number;
  readonly kind: DateKind;
}

export interface ParseContext {
  readonly styles: ParseStyles;
  /** Today, for formats without a date part (as .NET does). */
  readonly nowMs: number;
  /** Converts a wall-clock time without an offset to UTC; absent means the wall clock is UTC. */
  readonly zone?: ((wallMs: number) => number) | undefined;
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/** DateTime.ParseExact for one format. Returns an error message when the input does not match. */
export function parseExact(input: string, format: CompiledFormat, context: ParseContext): Parsed | string {
  const { styles } = context;
  let pos = 0;
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let twelveHour = false;
  let pm: boolean | undefined;
  let weekday: number | undefined;
  let offset: number | undefined;
  let utc = false;
  const mismatch = () => `"${input}" does not match the format at position ${pos + 1}`;
  const skipSpaces = () => {
    while (isSpace(input[pos])) pos += 1;
  };
  const digits = (min: number, max: number): number | undefined => {
    let end = pos;
    while (end < input.length && end - pos < max && /[0-9]/.test(input[end] ?? '')) end += 1;
    if (end - pos < min) return undefined;
    const value = Number(input.slice(pos, end));
    pos = end;
    return value;
  };
  const word = (choices: readonly string[]): number | undefined => {
    const rest = input.slice(pos).toLowerCase();
    // The longest match wins, so "June" beats "Jun" where a list offers both.
    let best: number | undefined;
    let bestLength = 0;
    choices.forEach((choice, index) => {
      if (choice.length > bestLength && rest.startsWith(choice.toLowerCase())) {
        best = index;
        bestLength = choice.length;
      }
    });
    if (best !== undefined) pos += bestLength;
    return best;
  };
  const zoneOffset = (): number | undefined => {
    const m = /^([+-])(\d{1,2})(?::?(\d{2}))?/.exec(input.slice(pos));
    if (m === null) return undefined;
    pos += m[0].length;
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return m[1] === '-' ? -minutes : minutes;
  };

  if (styles.leadingWhite) skipSpaces();
  const tokens = format.tokens;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t];
    if (token === undefined) break;
    if (token.kind === 'literal') {
      const next = tokens[t + 1];
      // .NET lets ".FFF" vanish entirely when the fraction is absent.
      if (
        token.text.endsWith('.') &&
        next?.kind === 'field' &&
        next.letter === 'F' &&
        input[pos + token.text.length - 1] !== '.'
      ) {
        const head = token.text.slice(0, -1);
        if (!input.startsWith(head, pos)) return mismatch();
        pos += head.length;
        continue;
      }
      const literal = token.text;
      for (let k = 0; k < literal.length; k++) {
        const ch = literal[k] ?? '';
        if (styles.innerWhite && !isSpace(ch)) skipSpaces();
        // 'Z' and 'GMT' in a format (as in Entra's "yyyyMMddHHmmss.fZ" and the r pattern) mark UTC, as in .NET.
        if (literal.startsWith('GMT', k) && input.slice(pos, pos + 3).toUpperCase() === 'GMT') {
          pos += 3;
          k += 2;
          utc = true;
        } else if (ch === 'Z' && (input[pos] === 'Z' || input[pos] === 'z')) {
          pos += 1;
          utc = true;
        } else if (isSpace(ch)) {
          if (!isSpace(input[pos])) return mismatch();
          pos += 1;
          if (styles.innerWhite) skipSpaces();
        } else if (input[pos] === ch) {
          pos += 1;
        } else {
          return mismatch();
        }
      }
      continue;
    }
    if (styles.innerWhite && t > 0) skipSpaces();
    const n = token.count;
    let value: number | undefined;
    switch (token.letter) {
      case 'y':
        value = n === 1 ? digits(1, 2) : n === 2 ? digits(2, 2) : digits(n === 3 ? 3 : n, n === 3 ? 4 : n);
        if (value !== undefined) year = n <= 2 ? expandTwoDigitYear(value) : value;
        break;
      case 'M':
        value = n <= 2 ? digits(n, 2) : word(n === 3 ? monthNames.map((m) => m.slice(0, 3)) : monthNames);
        if (value !== undefined) month = n <= 2 ? value : value + 1;
        break;
      case 'd':
        value = n <= 2 ? digits(n, 2) : word(n === 3 ? dayNames.map((d) => d.slice(0, 3)) : dayNames);
        if (value !== undefined) {
          if (n <= 2) day = value;
          else weekday = value;
        }
        break;
      case 'h':
      case 'H':
        value = digits(n === 1 ? 1 : 2, 2);
        if (value !== undefined) hour = value;
        if (token.letter === 'h') twelveHour = true;
        break;
      case 'm':
        value = digits(n === 1 ? 1 : 2, 2);
        if (value !== undefined) minute = value;
        break;
      case 's':
        value = digits(n === 1 ? 1 : 2, 2);
        if (value !== undefined) second = value;
        break;
      case 'f':
      case 'F': {
        const start = pos;
        value = digits(token.letter === 'f' ? n : 0, n);
        if (value !== undefined)
          millis = Math.floor(Number(`0.${input.slice(start, pos) || '0'}`) * 1000 + 1e-9);
        break;
      }
      case 't':
        value = word(n === 1 ? ['A', 'P'] : ['AM', 'PM']);
        if (value !== undefined) pm = value === 1;
        break;
      case 'z':
        value = zoneOffset();
        if (value !== undefined) offset = value;
        break;
      case 'K':
        if (input[pos] === 'Z' || input[pos] === 'z') {
          pos += 1;
          utc = true;
        } else {
          const o = zoneOffset();
          if (o !== undefined) offset = o;
        }
        value = 0;
        break;
      case 'g':
        value = word(['A.D.', 'AD']) ?? 0;
        break;
    }
    if (value === undefined) return mismatch();
  }
  if (styles.trailingWhite) skipSpaces();
  if (pos !== input.length) return `"${input}" has unexpected text at position ${pos + 1}`;

  if (pm !== undefined || twelveHour) {
    if (pm !== undefined && (hour < 1 || hour > 12))
      return `hour ${hour} is not valid with AM/PM in "${input}"`;
    if (pm === true && hour < 12) hour += 12;
    if (pm === false && hour === 12) hour = 0;
  }
  // .NET's defaults for missing parts: no date part at all means today; otherwise January, the 1st.
  if (year === undefined && month === undefined && day === undefined) {
    if (styles.noCurrentDateDefault) {
      year = 1;
      month = 1;
      day = 1;
    } else {
      const today = partsOf(context.nowMs);
      year = today.year;
      month = today.month;
      day = today.day;
    }
  }
  if (year === undefined) year = partsOf(context.nowMs).year;
  month ??= 1;
  day ??= 1;
  if (year < 1 || year > 9999 || month < 1 || month > 12) return `"${input}" is not a valid date`;
  if (day < 1 || day > daysInMonth(year, month)) return `"${input}" is not a valid date`;
  if (hour > 23 || minute > 59 || second > 59) return `"${input}" is not a valid time`;
  const wall = utcMs(year, month, day, hour, minute, second, millis);
  if (weekday !== undefined && partsOf(wall).dayOfWeek !== weekday) {
    return `the day of the week in "${input}" does not match its date`;
  }
  let ms = wall;
  let kind: DateKind;
  if (utc) {
    kind = 'utc';
    if (offset !== undefined) ms -= offset * MS_PER_MINUTE;
  } else if (offset !== undefined) {
    // RoundtripKind with an offset converts to local time, and Entra's local time is UTC.
    ms -= offset * MS_PER_MINUTE;
    kind = styles.universal ? 'utc' : 'local';
  } else if (context.zone !== undefined) {
    ms = context.zone(wall);
    kind = 'local';
  } else {
    kind = styles.universal ? 'utc' : 'unspecified';
  }
  if (!inRange(ms)) return `"${input}" is outside the supported date range`;
  return { ms, kind };
}

import { escapeDnValue } from './escape.ts';

/**
 * Distinguished names (RFC 4514) parsed into RDNs, so the connector can check that a DN computed by a
 * mapping lies under the configured base, tell a rename from a move, and compare DNs the way a server
 * does rather than as strings (`uid=A,ou=People` and `UID=a, ou=people` name the same entry).
 */

export interface Ava {
  /** The attribute type as written (`uid`, `CN`, `2.5.4.3`). */
  type: string;
  /** The decoded value (`a,b` for `a\,b`); for a `#hex` BER value, the `#...` text as written. */
  value: string;
  /** True for a `#hex` BER value (kept as written, never escaped). */
  hex?: boolean;
}

/** One RDN: usually one AVA, several for a multi-valued RDN (`cn=a+uid=b`). */
export type Rdn = readonly Ava[];
/** Most specific RDN first, as DNs are written. */
export type Dn = readonly Rdn[];

export class DnSyntaxError extends Error {}

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;

/**
 * Parses a DN string. Tolerates spaces around `,` `+` and `=` (RFC 2253 readers and most servers accept
 * them); an escaped trailing space (`\ `) is kept. Throws {@link DnSyntaxError} with the position.
 */
export function parseDn(text: string): Dn {
  const rdns: Ava[][] = [];
  if (text.trim() === '') return rdns;
  let i = 0;
  let rdn: Ava[] = [];
  const fail = (why: string): never => {
    throw new DnSyntaxError(`invalid DN at position ${i + 1}: ${why}`);
  };
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < text.length && text[i] !== '=' && text[i] !== ',' && text[i] !== '+') i++;
    const type = text.slice(typeStart, i).trim();
    if (text[i] !== '=') fail(`expected "=" after "${type}"`);
    if (!TYPE.test(type)) fail(`"${type}" is not an attribute type`);
    i++;
    skipSpaces();
    let value = '';
    let hex = false;
    if (text[i] === '#') {
      hex = true;
      const start = i;
      i++;
      while (i < text.length && /[0-9a-fA-F]/.test(text[i]!)) i++;
      value = text.slice(start, i);
      if (value.length < 3 || value.length % 2 === 0) fail('a #value needs an even number of hex digits');
      skipSpaces();
    } else {
      const bytes: number[] = [];
      let pendingSpaces = 0;
      const pushChar = (char: string) => {
        for (let s = 0; s < pendingSpaces; s++) bytes.push(0x20);
        pendingSpaces = 0;
        for (const byte of Buffer.from(char, 'utf8')) bytes.push(byte);
      };
      while (i < text.length && text[i] !== ',' && text[i] !== '+') {
        const char = text[i]!;
        if (char === '\\') {
          const next = text[i + 1];
          if (next === undefined) fail('a backslash ends the DN');
          const hex = text.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(hex)) {
            for (let s = 0; s < pendingSpaces; s++) bytes.push(0x20);
            pendingSpaces = 0;
            bytes.push(Number.parseInt(hex, 16));
            i += 3;
          } else if (' "#+,;<=>\\'.includes(next!)) {
            pushChar(next!);
            i += 2;
          } else fail(`"\\${next}" is not a valid escape`);
        } else if (char === ' ') {
          // Unescaped trailing spaces before a separator are not part of the value.
          pendingSpaces++;
          i++;
        } else if ('"<>;'.includes(char) || char === '\0') {
          fail(`"${char}" must be escaped`);
        } else {
          const cp = text.codePointAt(i)!;
          const full = String.fromCodePoint(cp);
          pushChar(full);
          i += full.length;
        }
      }
      value = Buffer.from(bytes).toString('utf8');
      if (value.includes('\uFFFD') && !Buffer.from(value, 'utf8').equals(Buffer.from(bytes)))
        fail('escaped bytes are not UTF-8');
    }
    rdn.push(hex ? { type, value, hex } : { type, value });
    if (i >= text.length) {
      rdns.push(rdn);
      break;
    }
    if (text[i] === '+') {
      i++;
      continue;
    }
    // ','
    rdns.push(rdn);
    rdn = [];
    i++;
    if (text.slice(i).trim() === '') fail('a DN may not end with ","');
  }
  return rdns;
}

/** Parses, or answers the syntax error message. */
export function tryParseDn(text: string): { ok: true; dn: Dn } | { ok: false; message: string } {
  try {
    return { ok: true, dn: parseDn(text) };
  } catch (error) {
    if (error instanceof DnSyntaxError) return { ok: false, message: error.message };
    throw error;
  }
}

export function formatRdn(rdn: Rdn, options: { hexBackslash?: boolean } = {}): string {
  return rdn.map((ava) => `${ava.type}=${ava.hex ? ava.value : escapeDnValue(ava.value, options)}`).join('+');
}

export function formatDn(dn: Dn, options: { hexBackslash?: boolean } = {}): string {
  return dn.map((rdn) => formatRdn(rdn, options)).join(',');
}

/**
 * The comparison key of an RDN: lower-cased types and values, AVAs sorted. Values compare
 * case-insensitively because the naming attributes in use (cn, uid, ou, dc, o, l) all use caseIgnoreMatch;
 * a directory naming entries by a case-sensitive attribute would see two DNs differing only in case as one.
 */
function rdnKey(rdn: Rdn): string {
  return rdn
    .map((ava) => `${ava.type.toLowerCase()}=${ava.value.toLowerCase().replace(/\s+/g, ' ')}`)
    .sort()
    .join('+');
}

export function dnKey(dn: Dn): string {
  return dn.map(rdnKey).join(',');
}

export function sameDn(a: Dn, b: Dn): boolean {
  return dnKey(a) === dnKey(b);
}

/** True when `dn` lies strictly below `base` (the base itself is not "under" it). */
export function isUnder(dn: Dn, base: Dn): boolean {
  if (dn.length <= base.length) return false;
  const tail = dn.slice(dn.length - base.length);
  return sameDn(tail, base);
}

export function parentOf(dn: Dn): Dn {
  return dn.slice(1);
}

/** A DN string's comparison key, or the string lower-cased when it does not parse (never throws). */
export function dnStringKey(text: string): string {
  const parsed = tryParseDn(text);
  return parsed.ok ? dnKey(parsed.dn) : text.toLowerCase();
}

/**
 * The one spelling the connector answers for a DN: attribute types lower-cased, values as stored,
 * escaped by {@link escapeDnValue}, no spaces. Servers print DNs their own way (slapd answers `cn=` for
 * a `CN=` it was given, escapes as `\2C` or `\,`), and the engine keeps ids as strings, so the id from
 * `create` must equal the one `get`, `find`, `list` and member lists answer later.
 */
export function canonicalDn(text: string): string {
  const parsed = tryParseDn(text);
  if (!parsed.ok) return text;
  return formatDn(parsed.dn.map((rdn) => rdn.map((ava) => ({ ...ava, type: ava.type.toLowerCase() }))));
}

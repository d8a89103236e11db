/**
 * Escaping of values placed inside LDAP strings. Every value that reaches a filter or a DN from outside
 * (mapped HR data, a matching value) goes through one of these, so a value can never change the shape of
 * the filter or the DN it lands in.
 */

const HEX = '0123456789abcdef';

function hexByte(byte: number): string {
  return `\\${HEX[byte >> 4]}${HEX[byte & 15]}`;
}

/**
 * RFC 4515 §3 assertion value: `*`, `(`, `)`, `\` and NUL become `\2a` `\28` `\29` `\5c` `\00`, and every
 * non-ASCII character becomes its UTF-8 bytes as `\xx`, so the result is plain printable ASCII whatever
 * the input (RFC 4515 allows raw UTF-8, but escaped bytes survive every log, terminal and tool).
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code === 0x2a || code === 0x28 || code === 0x29 || code === 0x5c || code === 0) out += hexByte(code);
    else if (code < 0x20 || code >= 0x7f) for (const byte of Buffer.from(char, 'utf8')) out += hexByte(byte);
    else out += char;
  }
  return out;
}

/** The inverse of {@link escapeFilterValue} (any `\xx` sequence is a byte; the bytes are UTF-8). */
export function unescapeFilterValue(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const char = escaped[i]!;
    if (char === '\\') {
      const hex = escaped.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad escape at ${i} in filter value`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else for (const byte of Buffer.from(char, 'utf8')) bytes.push(byte);
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * RFC 4514 §2.4 attribute value inside a DN: `,` `+` `"` `\` `<` `>` `;` `=` are prefixed with a
 * backslash (`=` is optional in the RFC; escaping it is allowed and keeps old parsers safe), a leading
 * space or `#` and a trailing space are escaped, and NUL becomes `\00`. Other characters, UTF-8 included,
 * stay as they are, which is how servers print DNs back.
 *
 * With `hexBackslash`, a backslash becomes `\5c` instead of `\\`: ldapts splits a new DN into RDN and
 * superior at the first comma not preceded by a backslash, which `\\,` (a value ending in a backslash)
 * would fool. Both forms are valid RFC 4514.
 */
export function escapeDnValue(value: string, options: { hexBackslash?: boolean } = {}): string {
  let out = '';
  const chars = [...value];
  chars.forEach((char, index) => {
    if (char === '\0') out += '\\00';
    else if (char === '\\') out += options.hexBackslash ? '\\5c' : '\\\\';
    else if (',+"<>;='.includes(char)) out += `\\${char}`;
    else if (index === 0 && (char === ' ' || char === '#')) out += `\\${char}`;
    else if (index === chars.length - 1 && char === ' ') out += '\\ ';
    else out += char;
  });
  return out;
}

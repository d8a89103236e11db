import type { Entry } from 'ldapts';
import type { TargetAttributes, TargetScalar, TargetValue } from '../../outbound/index.ts';

/**
 * Between the contract's attribute values and LDAP's: every LDAP attribute is a set of strings, so a
 * scalar is a one-value set, an array a multi-valued attribute, a boolean `TRUE`/`FALSE` (RFC 4517
 * Boolean syntax), a number its decimal text, and null or [] no attribute at all.
 *
 * Reading back, LDAP says neither the type nor whether an attribute is multi-valued, and names are
 * case-insensitive. {@link AttributeSpellings} remembers what the engine sent (names, arrays, booleans,
 * numbers) so an entry reads back in the same shape: the spelling last seen from a mapping wins, else the
 * server's; an attribute seen as an array stays an array even with one value; otherwise one value is a
 * string and several an array.
 */

export function toLdapValues(value: TargetValue): string[] {
  if (value === null) return [];
  const list: readonly TargetScalar[] = Array.isArray(value) ? value : [value as TargetScalar];
  return list.map((item) => (typeof item === 'boolean' ? (item ? 'TRUE' : 'FALSE') : String(item)));
}

type Shape = 'array' | 'boolean' | 'number' | 'scalar';

interface Spelling {
  name: string;
  shape: Shape;
}

export class AttributeSpellings {
  private readonly byLower = new Map<string, Spelling>();

  /** Learns the names and shapes of attributes the engine writes or searches on. */
  learn(attributes: TargetAttributes): void {
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null) {
        this.learnName(name);
        continue;
      }
      const first = Array.isArray(value) ? value[0] : value;
      const shape: Shape = Array.isArray(value)
        ? 'array'
        : typeof first === 'boolean'
          ? 'boolean'
          : typeof first === 'number'
            ? 'number'
            : 'scalar';
      this.byLower.set(name.toLowerCase(), { name, shape });
    }
  }

  /** Learns a name without a shape (a `find` attribute, a `remove`), keeping any shape already known. */
  learnName(name: string): void {
    const known = this.byLower.get(name.toLowerCase());
    this.byLower.set(name.toLowerCase(), { name, shape: known?.shape ?? 'scalar' });
  }

  spell(serverName: string): Spelling {
    return this.byLower.get(serverName.toLowerCase()) ?? { name: serverName, shape: 'scalar' };
  }
}

function fromLdapValues(values: string[], shape: Shape): TargetValue {
  const typed = values.map((value): TargetScalar => {
    if (shape === 'boolean' && /^(TRUE|FALSE)$/i.test(value)) return value.toUpperCase() === 'TRUE';
    if (shape === 'number' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    return value;
  });
  if (shape === 'array' || typed.length > 1) return typed;
  return typed[0] ?? null;
}

/** Attribute values of an ldapts entry as strings; binary values (undecodable as UTF-8) are left out. */
export function entryValues(entry: Entry, name: string): string[] | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(entry)) {
    if (key.toLowerCase() !== lower || key === 'dn') continue;
    const list = Array.isArray(value) ? value : [value];
    const strings = list.filter((item): item is string => typeof item === 'string');
    return strings.length > 0 ? strings : undefined;
  }
  return undefined;
}

/**
 * The entry's attributes under the engine's spellings, without `skip` (lower-case names: objectClass,
 * members, passwords, attributes the flavor reads itself). Attributes requested but absent come back
 * from ldapts as [] and are left out, like absent ones.
 */
export function readAttributes(
  entry: Entry,
  spellings: AttributeSpellings,
  skip: ReadonlySet<string>,
): TargetAttributes {
  const out: TargetAttributes = {};
  for (const [key, value] of Object.entries(entry)) {
    const lower = key.toLowerCase();
    if (key === 'dn' || key === '*' || key === '+' || skip.has(lower)) continue;
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.some((item) => typeof item !== 'string')) continue;
    const spelling = spellings.spell(key);
    out[spelling.name] = fromLdapValues(list as string[], spelling.shape);
  }
  return out;
}

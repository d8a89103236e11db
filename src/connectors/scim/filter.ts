import { type AttributePath, formatPath, isManager } from './attribute-path.ts';

/**
 * RFC 7644 §3.4.2.2: a comparison value is a JSON literal, so JSON string encoding is exactly the
 * escaping the filter grammar asks for (`"` → `\"`, `\` → `\\`, control characters as `\uXXXX`).
 */
export const filterLiteral = (value: string) => JSON.stringify(value);

/** `attribute eq "value"` for one flat path, in the form a target can evaluate. */
export function equalityFilter(p: AttributePath, value: string): string {
  const literal = filterLiteral(value);
  if (isManager(p)) return `${formatPath(p)}.value eq ${literal}`;
  if (p.select) {
    // `emails[type eq "work"].value eq "x"` is not filter grammar; the value filter form is.
    const prefix = p.schema ? `${p.schema}:` : '';
    const sel = `${p.select.attr} eq ${filterLiteral(p.select.value)}`;
    return `${prefix}${p.attr}[${sel} and ${p.sub ?? 'value'} eq ${literal}]`;
  }
  return `${formatPath(p)} eq ${literal}`;
}

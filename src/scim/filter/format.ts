import type { AttrPath, CompareValue, Filter } from './ast.ts';

/** `urn:...:User:name.givenName`: the inverse of the attribute-path grammar. */
export function formatAttrPath(path: AttrPath): string {
  const uri = path.uri === null ? '' : path.uri + ':';
  const sub = path.subAttr === null ? '' : '.' + path.subAttr;
  return uri + path.name + sub;
}

/**
 * JSON text for a literal. `String` keeps every finite double exact, and -0 is spelt out because
 * `String(-0)` is "0" and the round trip would otherwise lose the sign. NaN and ±Infinity have no filter
 * spelling; the parser never produces them.
 */
export function formatValue(value: CompareValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value);
}

/**
 * Canonical filter text: lower-case operators and keywords, single spaces, and parentheses only where the
 * tree shape differs from what precedence (not > and > or) and left associativity would give, so
 * `parseFilter(formatFilter(f))` yields `f` again.
 */
export function formatFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${formatAttrPath(filter.path)} ${filter.op} ${formatValue(filter.value)}`;
    case 'present':
      return `${formatAttrPath(filter.path)} pr`;
    case 'valuePath':
      return `${formatAttrPath(filter.path)}[${formatFilter(filter.filter)}]`;
    case 'not':
      return `not (${formatFilter(filter.filter)})`;
    case 'and':
    case 'or':
      return `${operand(filter.left, filter.kind, false)} ${filter.kind} ${operand(filter.right, filter.kind, true)}`;
  }
}

function operand(child: Filter, parent: 'and' | 'or', isRight: boolean): string {
  const text = formatFilter(child);
  // A looser child needs parentheses; so does an equally tight one on the right, which would otherwise
  // re-associate to the left.
  const looser = parent === 'and' && child.kind === 'or';
  const reassociates = isRight && (child.kind === 'or' || child.kind === parent);
  return looser || reassociates ? `(${text})` : text;
}

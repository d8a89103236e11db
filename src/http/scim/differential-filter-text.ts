/** The filter text Joinery is sent, and the set evaluation of a filter tree from leaf answers. */
import type { Filter, Inner, InnerLeaf, Leaf, Literal, Tree } from './differential-filters.ts';

// ---------------------------------------------------------------------------------------------------
// The text Joinery is sent.

/**
 * JSON text of a literal; `escaped` spells every non-ASCII code unit and `/` with JSON escapes
 * (`\u00e9`, `\ud83d\ude00`, `\/`), which must decode to the same string.
 */
function literalText(value: Literal, escaped: boolean): string {
  if (typeof value !== 'string') return String(value);
  const text = JSON.stringify(value);
  if (!escaped) return text;
  return text
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

function render<L>(f: Tree<L>, leaf: (l: L) => string): string {
  if (typeof f === 'object' && f !== null && 'kind' in f) {
    const node = f as Tree<L> & { kind: string };
    if (node.kind === 'not' && 'filter' in node) return `${node.word} (${render(node.filter, leaf)})`;
    if ((node.kind === 'and' || node.kind === 'or') && 'left' in node) {
      // Only an `or` operand of `and` needs parentheses (and binds tighter; both are associative).
      const operand = (child: Tree<L>) => {
        const text = render(child, leaf);
        const kind = (child as { kind: string }).kind;
        return node.parens || (node.kind === 'and' && kind === 'or') ? `(${text})` : text;
      };
      return `${operand(node.left)} ${node.word} ${operand(node.right)}`;
    }
  }
  return leaf(f as L);
}

function innerText(l: InnerLeaf): string {
  return l.kind === 'present'
    ? `${l.spelling} ${l.opText}`
    : `${l.spelling} ${l.opText} ${literalText(l.value, l.escaped)}`;
}

export function filterText(f: Filter): string {
  return render(f, (l: Leaf) => {
    switch (l.kind) {
      case 'present':
        return `${l.spelling} ${l.opText}`;
      case 'compare':
        return `${l.spelling} ${l.opText} ${literalText(l.value, l.escaped)}`;
      case 'valuePath':
        return `${l.spelling}[${render(l.filter, innerText)}]`;
    }
  });
}

/** Walks a tree, combining leaf answers with set operations over `all`. */
export function evaluate<L>(
  f: Tree<L>,
  all: ReadonlySet<string>,
  leaf: (l: L) => ReadonlySet<string>,
): Set<string> {
  const node = f as Tree<L> & { kind: string };
  if (node.kind === 'not' && 'filter' in node) {
    const inner = evaluate(node.filter, all, leaf);
    return new Set([...all].filter((id) => !inner.has(id)));
  }
  if ((node.kind === 'and' || node.kind === 'or') && 'left' in node) {
    const left = evaluate(node.left, all, leaf);
    const right = evaluate(node.right, all, leaf);
    return node.kind === 'and'
      ? new Set([...left].filter((id) => right.has(id)))
      : new Set([...left, ...right]);
  }
  return new Set(leaf(f as L));
}

/** Negation normal form then disjunctive normal form of a value filter: OR of ANDs of literals. */
export interface InnerLiteral {
  leaf: InnerLeaf;
  negated: boolean;
}
export function disjunctiveForm(f: Inner, negated = false): InnerLiteral[][] {
  const node = f as Inner & { kind: string };
  if (node.kind === 'not' && 'filter' in node) return disjunctiveForm(node.filter, !negated);
  if ((node.kind === 'and' || node.kind === 'or') && 'left' in node) {
    const left = disjunctiveForm(node.left, negated);
    const right = disjunctiveForm(node.right, negated);
    // De Morgan: under negation `and` becomes `or` and the reverse.
    const conjunction = (node.kind === 'and') !== negated;
    return conjunction ? left.flatMap((l) => right.map((r) => [...l, ...r])) : [...left, ...right];
  }
  return [[{ leaf: f as InnerLeaf, negated }]];
}

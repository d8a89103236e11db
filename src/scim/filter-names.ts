import type { Filter } from './filter/ast.ts';

/** True when the filter mentions the attribute (any schema, any case), e.g. to spot `password`. */
export function filterNames(filter: Filter, attribute: string): boolean {
  const wanted = attribute.toLowerCase();
  switch (filter.kind) {
    case 'and':
    case 'or':
      return filterNames(filter.left, attribute) || filterNames(filter.right, attribute);
    case 'not':
      return filterNames(filter.filter, attribute);
    default:
      return filter.path.name.toLowerCase() === wanted;
  }
}

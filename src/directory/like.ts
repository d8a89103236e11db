/** `%`, `_` and the escape character itself are literal in user-supplied values; LIKE must see them escaped. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

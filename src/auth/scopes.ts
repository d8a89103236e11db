export const scopes = [
  'admin',
  'directory.read',
  'directory.write',
  'scim',
  'inbound.upload',
  'audit.read',
] as const;
export type Scope = (typeof scopes)[number];

/** admin grants everything; directory.write includes reading what one writes. */
export function grants(held: readonly string[], wanted: Scope): boolean {
  if (held.includes('admin')) return true;
  if (held.includes(wanted)) return true;
  return wanted === 'directory.read' && held.includes('directory.write');
}

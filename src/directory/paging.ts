import { isUuid } from '../core/index.ts';

/** Opaque keyset cursors: the last id of the previous page, base64url-encoded with a kind prefix. */
export function encodeCursor(kind: string, id: string): string {
  return Buffer.from(`${kind}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  if (!text.startsWith(prefix)) return null;
  const id = text.slice(prefix.length);
  // A strict uuid: 36 dashes would pass a looser pattern and then fail the ::uuid cast in SQL.
  return isUuid(id) ? id : null;
}

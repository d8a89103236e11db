import { randomUUID } from 'node:crypto';
import type { Entry, Filter, SearchResult } from 'ldapts';
import { type ConnectionSettings, LdapConnection } from './ldap-client.ts';

/**
 * `list` over the simple paged results control (RFC 2696).
 *
 * The paged-results cookie is only good on the connection that received it (OpenLDAP keeps the paging
 * state per connection, and allows one paged search per connection at a time), and ldapts keeps the
 * cookie inside its `searchPaginated` generator without exposing it. So a listing owns a connection and
 * that generator, and the cursor the engine holds names the listing and the page it is at (base64url
 * JSON), not the raw cookie. Consequences, documented in the README: a cursor is valid in the process
 * that issued it, until the listing is finished, idle for {@link IDLE_MS}, or the connector is closed.
 * Asking again for the page just returned (a retry) answers it again; any other stale cursor is refused.
 */

export const IDLE_MS = 10 * 60_000;
const MAX_LISTINGS = 16;

interface Listing {
  id: string;
  connection: LdapConnection;
  pages: AsyncGenerator<SearchResult>;
  /** The page fetched ahead, so the answer can say whether it is the last. */
  ahead: IteratorResult<SearchResult>;
  /** Number of the page `ahead` holds (1-based). */
  page: number;
  /** The previous answer, replayed when the same cursor comes again. */
  previous?: { cursor: string; entries: Entry[]; next: string | null };
  timer: NodeJS.Timeout;
}

export type PageAnswer =
  | { ok: true; entries: Entry[]; next: string | null }
  | { ok: false; stale: true; message: string };

interface CursorBody {
  l: string;
  p: number;
  k: string;
}

function encodeCursor(body: CursorBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): CursorBody | undefined {
  try {
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
    if (typeof body.l === 'string' && typeof body.p === 'number' && typeof body.k === 'string')
      return { l: body.l, p: body.p, k: body.k };
  } catch {
    // fall through
  }
  return undefined;
}

export interface ListingQuery {
  base: string;
  filter: Filter;
  attributes: string[];
  pageSize: number;
  /** Scopes a cursor to what it lists, so a user cursor is not accepted for groups. */
  scope: string;
}

export class Listings {
  private readonly open = new Map<string, Listing>();

  constructor(private readonly settings: ConnectionSettings) {}

  private finish(listing: Listing): void {
    clearTimeout(listing.timer);
    this.open.delete(listing.id);
    void listing.pages.return(undefined).catch(() => undefined);
    void listing.connection.close();
  }

  private touch(listing: Listing): void {
    clearTimeout(listing.timer);
    listing.timer = setTimeout(() => this.finish(listing), IDLE_MS);
    listing.timer.unref();
  }

  private async answer(listing: Listing, scope: string): Promise<PageAnswer & { ok: true }> {
    const current = listing.ahead;
    const entries = current.done ? [] : current.value.searchEntries;
    listing.ahead = current.done ? current : await listing.pages.next();
    listing.page++;
    if (listing.ahead.done) {
      this.finish(listing);
      return { ok: true, entries, next: null };
    }
    const next = encodeCursor({ l: listing.id, p: listing.page, k: scope });
    this.touch(listing);
    return { ok: true, entries, next };
  }

  /** The first page of a new listing. Throws what ldapts throws. */
  async start(query: ListingQuery): Promise<PageAnswer> {
    while (this.open.size >= MAX_LISTINGS) {
      const oldest = this.open.values().next().value;
      if (oldest) this.finish(oldest);
    }
    const connection = new LdapConnection(this.settings);
    try {
      const client = await connection.get();
      const pages = client.searchPaginated(query.base, {
        scope: 'sub',
        filter: query.filter,
        attributes: query.attributes,
        paged: { pageSize: query.pageSize },
      });
      const ahead = await pages.next();
      const listing: Listing = {
        id: randomUUID(),
        connection,
        pages,
        ahead,
        page: 1,
        timer: setTimeout(() => undefined, 0),
      };
      this.open.set(listing.id, listing);
      const reply = await this.answer(listing, query.scope);
      listing.previous = { cursor: '', entries: reply.entries, next: reply.next };
      return reply;
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** The page a cursor names. Throws what ldapts throws (and then forgets the listing). */
  async continue(cursor: string, scope: string): Promise<PageAnswer> {
    const body = decodeCursor(cursor);
    const listing = body ? this.open.get(body.l) : undefined;
    if (!body || body.k !== scope || !listing)
      return {
        ok: false,
        stale: true,
        message:
          'the list cursor is unknown or expired (cursors live in the process that issued them, for 10 minutes idle); start the listing again',
      };
    if (listing.previous && listing.previous.cursor === cursor)
      return { ok: true, entries: listing.previous.entries, next: listing.previous.next };
    if (body.p !== listing.page)
      return { ok: false, stale: true, message: 'the list cursor is out of order; start the listing again' };
    try {
      const reply = await this.answer(listing, scope);
      listing.previous = { cursor, entries: reply.entries, next: reply.next };
      return reply;
    } catch (error) {
      this.finish(listing);
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const listing of [...this.open.values()]) this.finish(listing);
  }
}

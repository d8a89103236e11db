import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { type Clock, err, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Scope } from './scopes.ts';

export interface TokenInfo {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Principal {
  tokenId: string;
  name: string;
  scopes: string[];
}

const PREFIX = 'jny_';
// last_used_at is written at most this often per token: a write per request would double the cost of reads.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Tokens are 256 random bits; a fast hash is enough (no dictionary to attack) and keeps auth cheap. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toInfo(r: {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
  };
}

export interface TokenDeps {
  db: Db;
  clock: Clock;
}

/** Creates a token. The secret is returned once and only its hash is stored. */
export async function createToken(
  deps: TokenDeps,
  ctx: RequestContext,
  input: { name: string; scopes: Scope[] },
): Promise<{ token: string; info: TokenInfo }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('api_tokens')
      .values({
        id: newId(),
        name: input.name,
        token_hash: hashToken(token),
        scopes: [...new Set(input.scopes)],
        created_at: now,
        created_by: ctx.actor.name ?? ctx.actor.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'token.create',
        targetType: 'token',
        targetId: inserted.id,
        changes: [
          { attribute: 'name', before: null, after: input.name },
          { attribute: 'scopes', before: null, after: inserted.scopes },
        ],
      },
    ]);
    return inserted;
  });
  return { token, info: toInfo(row) };
}

export async function listTokens(deps: TokenDeps): Promise<TokenInfo[]> {
  const rows = await deps.db.selectFrom('api_tokens').selectAll().orderBy('created_at').execute();
  return rows.map(toInfo);
}

export async function revokeToken(
  deps: TokenDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<TokenInfo>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('api_tokens')
      .set({ revoked_at: deps.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) return err(failure('token.not_found', `no active token with id ${id}`, { id }));
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'token.revoke',
        targetType: 'token',
        targetId: id,
        changes: [{ attribute: 'revokedAt', before: null, after: row.revoked_at }],
      },
    ]);
    return ok(toInfo(row));
  });
}

/** The principal for a presented bearer token, or null when unknown or revoked. Records last use. */
export async function verifyToken(deps: TokenDeps, token: string): Promise<Principal | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row = await deps.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scopes', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const now = deps.clock.now();
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= LAST_USED_RESOLUTION_MS) {
    await deps.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { tokenId: row.id, name: row.name, scopes: row.scopes };
}

const BOOTSTRAP_LOCK = 7_340_117_002;

/**
 * On the very first start (no token exists at all), creates an admin token and writes it to
 * `<dataDir>/admin-token` with mode 0600. Never logged. An advisory lock makes copies starting
 * together on one PostgreSQL create a single token.
 */
export async function ensureBootstrapToken(
  deps: TokenDeps,
  ctx: RequestContext,
  dataDir: string,
): Promise<{ created: boolean; path: string }> {
  const path = join(dataDir, 'admin-token');
  const token = PREFIX + randomBytes(32).toString('base64url');
  const created = await deps.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(tx);
    const any = await tx.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    const now = deps.clock.now();
    const id = newId();
    await tx
      .insertInto('api_tokens')
      .values({
        id,
        name: 'bootstrap-admin',
        token_hash: hashToken(token),
        scopes: ['admin'],
        created_at: now,
        created_by: 'joinery',
      })
      .execute();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'token.create',
        targetType: 'token',
        targetId: id,
        changes: [{ attribute: 'scopes', before: null, after: ['admin'] }],
      },
    ]);
    // Written before commit: if writing fails, no token exists that nobody can read.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, `${token}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
    return true;
  });
  return { created, path };
}

import type { ConnectorResult } from '../../outbound/index.ts';
import { connectorFail, connectorOk } from '../../outbound/index.ts';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * One flat attribute path as the mappings name it, taken apart:
 * `name.givenName`, `emails[type eq "work"].value`, `urn:...:enterprise:2.0:User:department`.
 * Only the value selector the mappings need is understood: one `<sub> eq "<string>"`.
 */
export interface AttributePath {
  /** Extension schema URN; null for the resource's core schema. */
  schema: string | null;
  attr: string;
  /** The element selector of a multi-valued attribute (`type eq "work"`). */
  select: { attr: string; value: string } | null;
  sub: string | null;
}

const NAME = '[A-Za-z$][\\w$-]*';
const LOCAL = new RegExp(
  `^(${NAME})(?:\\[\\s*(${NAME})\\s+eq\\s+("(?:[^"\\\\]|\\\\.)*")\\s*\\])?(?:\\.(${NAME}))?$`,
  'i',
);

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Splits off the schema URN. RFC 7644 §3.10 puts the attribute after the URN's last colon; known
 * extensions are matched as prefixes first so a selector literal containing a colon cannot mislead.
 */
function splitSchema(path: string, extensions: readonly string[]): { schema: string | null; rest: string } {
  if (!/^urn:/i.test(path)) return { schema: null, rest: path };
  const known = [...extensions, ENTERPRISE_USER, CORE_USER, CORE_GROUP].find((urn) =>
    path.toLowerCase().startsWith(`${urn.toLowerCase()}:`),
  );
  let schema: string;
  let rest: string;
  if (known) {
    schema = known;
    rest = path.slice(known.length + 1);
  } else {
    const head = path.split('[')[0] ?? path;
    const colon = head.lastIndexOf(':');
    schema = path.slice(0, colon);
    rest = path.slice(colon + 1);
  }
  const core = sameName(schema, CORE_USER) || sameName(schema, CORE_GROUP);
  return { schema: core ? null : schema, rest };
}

export function parsePath(path: string, extensions: readonly string[] = []): ConnectorResult<AttributePath> {
  const { schema, rest } = splitSchema(path.trim(), extensions);
  const m = LOCAL.exec(rest);
  if (!m || m[1] === undefined)
    return connectorFail({
      code: 'invalid',
      message: `attribute path "${path}" is not supported (use attr, attr.sub, attr[type eq "x"].sub, or urn:...:attr)`,
      retryable: false,
    });
  let select: AttributePath['select'] = null;
  if (m[2] !== undefined && m[3] !== undefined) {
    const literal: unknown = JSON.parse(m[3]);
    select = { attr: m[2], value: String(literal) };
  }
  return connectorOk({ schema, attr: m[1], select, sub: m[4] ?? null });
}

/** The canonical spelling: what `flatten` produces, so the engine's diff compares like with like. */
export function formatPath(p: AttributePath): string {
  const prefix = p.schema ? `${p.schema}:` : '';
  const select = p.select ? `[${p.select.attr} eq ${JSON.stringify(p.select.value)}]` : '';
  return `${prefix}${p.attr}${select}${p.sub ? `.${p.sub}` : ''}`;
}

/** `...:enterprise:2.0:User:manager`: a target id on our side, `{"value": id}` on the wire. */
export const isManager = (p: AttributePath) =>
  p.schema !== null &&
  sameName(p.schema, ENTERPRISE_USER) &&
  sameName(p.attr, 'manager') &&
  !p.select &&
  !p.sub;

/** A path that removes the whole element: `emails[type eq "work"]` when `.value` is cleared. */
export const removesElement = (p: AttributePath) =>
  p.select !== null && (p.sub === null || sameName(p.sub, 'value'));

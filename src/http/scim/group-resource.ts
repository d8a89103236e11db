import type { Group, Member } from '../../directory/index.ts';
import { CORE_GROUP, type ScimResource } from '../../scim/index.ts';
import { etagOf } from './respond.ts';

/** A directory group as a SCIM Group (RFC 7643 §4.2); members only when they were loaded. */
export function groupToScim(g: Group, members: Member[] | null, baseUrl: string): ScimResource {
  return {
    schemas: [CORE_GROUP],
    id: g.id,
    ...(g.externalId ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
    ...(members?.length
      ? {
          members: members.map((m) => ({
            value: m.id,
            $ref: `${baseUrl}/${m.type === 'user' ? 'Users' : 'Groups'}/${m.id}`,
            display: m.displayName ?? m.name,
            type: m.type === 'user' ? 'User' : 'Group',
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: g.createdAt,
      lastModified: g.updatedAt,
      location: `${baseUrl}/Groups/${g.id}`,
      version: etagOf(g.version),
    },
  };
}

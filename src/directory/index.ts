import type { RequestContext } from '../core/index.ts';
import type { DirectoryDeps } from './deps.ts';
import type { GroupCreateInput, GroupPatchInput, MemberRef } from './group-schemas.ts';
import {
  createGroup,
  deleteGroup,
  type GroupListQuery,
  getGroup,
  listGroups,
  restoreGroup,
  updateGroup,
} from './groups.ts';
import { directReports, managerChain } from './managers.ts';
import { addMembers, listMembers, type MemberListQuery, memberOf, removeMember } from './memberships.ts';
import { addOwner, listOwners, removeOwner } from './owners.ts';
import { purgeDeleted } from './purge.ts';
import type { UserCreateInput, UserPatchInput } from './user-schemas.ts';
import { type MatchKey, upsertUsers } from './user-upsert.ts';
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  restoreUser,
  type UserListQuery,
  updateUser,
} from './users.ts';

export type { DirectoryDeps, Page } from './deps.ts';
export type { GroupCreateInput, GroupPatchInput, MemberRef } from './group-schemas.ts';
export { groupCreateSchema, groupPatchSchema, memberRefSchema } from './group-schemas.ts';
export type { Group, GroupListQuery } from './groups.ts';
export type { Member, MemberListQuery } from './memberships.ts';
export type { Email, PhoneNumber, User, UserAttributes } from './user-attributes.ts';
export { userAttributeNames } from './user-attributes.ts';
export type { UserCreateInput, UserPatchInput } from './user-schemas.ts';
export { emailSchema, phoneSchema, userCreateSchema, userPatchSchema } from './user-schemas.ts';
export type { MatchKey, UpsertOutcome } from './user-upsert.ts';
export type { UserListQuery } from './users.ts';

/** The directory: users, groups, memberships, owners and managers. Every write audits and emits events. */
export function createDirectory(deps: DirectoryDeps) {
  return {
    createUser: (ctx: RequestContext, input: UserCreateInput) => createUser(deps, ctx, input),
    updateUser: (ctx: RequestContext, id: string, patch: UserPatchInput, options?: { ifVersion?: number }) =>
      updateUser(deps, ctx, id, patch, options),
    upsertUsers: (ctx: RequestContext, items: UserCreateInput[], options: { matchOn: MatchKey }) =>
      upsertUsers(deps, ctx, items, options),
    deleteUser: (ctx: RequestContext, id: string, options?: { ifVersion?: number }) =>
      deleteUser(deps, ctx, id, options),
    restoreUser: (ctx: RequestContext, id: string) => restoreUser(deps, ctx, id),
    getUser: (id: string, options?: { includeDeleted?: boolean }) => getUser(deps, id, options),
    listUsers: (query: UserListQuery) => listUsers(deps, query),
    managerChain: (id: string) => managerChain(deps.db, id),
    directReports: (id: string) => directReports(deps.db, id),
    createGroup: (ctx: RequestContext, input: GroupCreateInput) => createGroup(deps, ctx, input),
    updateGroup: (
      ctx: RequestContext,
      id: string,
      patch: GroupPatchInput,
      options?: { ifVersion?: number },
    ) => updateGroup(deps, ctx, id, patch, options),
    deleteGroup: (ctx: RequestContext, id: string) => deleteGroup(deps, ctx, id),
    restoreGroup: (ctx: RequestContext, id: string) => restoreGroup(deps, ctx, id),
    getGroup: (id: string, options?: { includeDeleted?: boolean }) => getGroup(deps, id, options),
    listGroups: (query: GroupListQuery) => listGroups(deps, query),
    addMembers: (ctx: RequestContext, groupId: string, refs: MemberRef[]) =>
      addMembers(deps, ctx, groupId, refs),
    removeMember: (ctx: RequestContext, groupId: string, memberId: string) =>
      removeMember(deps, ctx, groupId, memberId),
    listMembers: (groupId: string, query: MemberListQuery) => listMembers(deps, groupId, query),
    memberOf: (memberId: string, options?: { transitive?: boolean }) => memberOf(deps, memberId, options),
    addOwner: (ctx: RequestContext, groupId: string, userId: string) => addOwner(deps, ctx, groupId, userId),
    removeOwner: (ctx: RequestContext, groupId: string, userId: string) =>
      removeOwner(deps, ctx, groupId, userId),
    listOwners: (groupId: string) => listOwners(deps, groupId),
    purgeDeleted: (ctx: RequestContext) => purgeDeleted(deps, ctx),
  };
}

export type Directory = ReturnType<typeof createDirectory>;

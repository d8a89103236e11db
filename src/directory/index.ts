import type { RequestContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { type Filter, type ResourceSchemas, type ScimResult, scimOk } from '../scim/index.ts';
import { groupsByIds, usersByIds } from './batch-read.ts';
import type { DirectoryDeps } from './deps.ts';
import { changeGroup, createGroupWithMembers, type GroupChange } from './group-change.ts';
import type { GroupCreateInput, GroupPatchInput, MemberRef } from './group-schemas.ts';
import {
  createGroup,
  deleteGroup,
  type Group,
  type GroupListQuery,
  type GroupRow,
  getGroup,
  listGroups,
  restoreGroup,
  rowToGroup,
  updateGroup,
} from './groups.ts';
import { directReports, managerChain } from './managers.ts';
import { addMembers, listMembers, type MemberListQuery, memberOf, removeMember } from './memberships.ts';
import { addOwner, listOwners, removeOwner } from './owners.ts';
import { purgeDeleted } from './purge.ts';
import {
  declareExtensionSchema,
  listExtensionSchemas,
  removeExtensionSchema,
} from './scim/extension-schemas.ts';
import { createListCache } from './scim/list-cache.ts';
import { classifyMembers, directMembersOf } from './scim/members.ts';
import { type ScimSearch, type SearchPage, searchTable } from './scim/search.ts';
import { ManagerCycleError } from './user-apply.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';
import type { UserCreateInput, UserPatchInput } from './user-schemas.ts';
import {
  findLiveUsersBy,
  isValueFree,
  lockUsersBy,
  lockUsersById,
  type SyncItem,
  type SyncKey,
  setManagers,
  syncUsers,
  type UniqueCheckAttribute,
} from './user-sync.ts';
import { missingGroups, userFilterPredicate } from './user-tasks.ts';
import {
  addUsersToGroups,
  removeUsersFromGroups,
  setAccountsEnabled,
  softDeleteUsers,
} from './user-tasks-batch.ts';
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
export type { GroupChange } from './group-change.ts';
export type { GroupCreateInput, GroupPatchInput, MemberRef } from './group-schemas.ts';
export { groupCreateSchema, groupPatchSchema, memberRefSchema } from './group-schemas.ts';
export type { Group, GroupListQuery } from './groups.ts';
export type { Member, MemberListQuery } from './memberships.ts';
export { type ExtensionSchemaInput, extensionSchemaInput } from './scim/extension-schemas.ts';
export type { ScimSearch, SearchPage } from './scim/search.ts';
export type { Email, PhoneNumber, User, UserAttributes } from './user-attributes.ts';
export { userAttributeNames } from './user-attributes.ts';
export type { UserCreateInput, UserPatchInput } from './user-schemas.ts';
export { emailSchema, phoneSchema, userCreateSchema, userPatchSchema } from './user-schemas.ts';
export type { SyncItem, SyncKey, SyncOutcome, UniqueCheckAttribute } from './user-sync.ts';
export type { MatchKey, UpsertOutcome } from './user-upsert.ts';

/** True when a sync batch was refused because it would make a user their own (indirect) manager. */
export function isManagerCycle(error: unknown): error is Error & { userIds: string[] } {
  return error instanceof ManagerCycleError;
}
export type { UserListQuery } from './users.ts';

/** The directory: users, groups, memberships, owners and managers. Every write audits and emits events. */
export function createDirectory(deps: DirectoryDeps) {
  const listCache = createListCache(() => deps.clock.now().getTime());
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
    deleteGroup: (ctx: RequestContext, id: string, options?: { ifVersion?: number }) =>
      deleteGroup(deps, ctx, id, options),
    changeGroup: (ctx: RequestContext, id: string, change: GroupChange) => changeGroup(deps, ctx, id, change),
    createGroupWithMembers: (ctx: RequestContext, input: GroupCreateInput, members: MemberRef[]) =>
      createGroupWithMembers(deps, ctx, input, members),
    /** Which of these ids are live users and which live groups (SCIM members carry no reliable type). */
    classifyMembers: (ids: readonly string[]) => classifyMembers(deps.db, ids),
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
    /** Live users matching a SCIM filter, filtered, sorted and paged in SQL. */
    searchUsers: async (
      schemas: ResourceSchemas,
      search: ScimSearch,
    ): Promise<ScimResult<SearchPage<User>>> => {
      const page = await searchTable<UserRow>(deps, listCache, { resource: 'User', schemas }, search);
      return page.ok ? scimOk({ total: page.value.total, rows: page.value.rows.map(rowToUser) }) : page;
    },
    searchGroups: async (
      schemas: ResourceSchemas,
      search: ScimSearch,
    ): Promise<ScimResult<SearchPage<Group>>> => {
      const page = await searchTable<GroupRow>(deps, listCache, { resource: 'Group', schemas }, search);
      return page.ok ? scimOk({ total: page.value.total, rows: page.value.rows.map(rowToGroup) }) : page;
    },
    directMembersOf: (groupIds: readonly string[]) => directMembersOf(deps.db, groupIds),
    /** Users by id, soft-deleted included, in one query (provisioning reads whole batches). */
    usersByIds: (ids: readonly string[]) => usersByIds(deps.db, ids),
    groupsByIds: (ids: readonly string[]) => groupsByIds(deps.db, ids),
    extensionSchemas: () => listExtensionSchemas(deps),
    /** A SCIM filter over users as a SQL predicate on the users table (rules of higher modules run in SQL). */
    userFilterPredicate: (filter: Filter) => userFilterPredicate(deps, filter),
    declareExtensionSchema: (ctx: RequestContext, input: unknown) => declareExtensionSchema(deps, ctx, input),
    removeExtensionSchema: (ctx: RequestContext, id: string) => removeExtensionSchema(deps, ctx, id),
    /**
     * Writes inside a caller's transaction, for synchronisation engines (inbound HR) whose own records
     * must commit together with the directory change. Every write still audits and emits events.
     */
    sync: {
      lockUsersBy: (tx: Tx, attribute: SyncKey, values: readonly string[]) =>
        lockUsersBy(tx, attribute, values),
      lockUsersById: (tx: Tx, ids: readonly string[]) => lockUsersById(tx, ids),
      findLiveUsersBy: (tx: Tx, attribute: SyncKey, values: readonly string[]) =>
        findLiveUsersBy(tx, attribute, values),
      isValueFree: (tx: Tx, attribute: UniqueCheckAttribute, value: string) =>
        isValueFree(tx, attribute, value),
      syncUsers: (tx: Tx, ctx: RequestContext, items: readonly SyncItem[]) => syncUsers(tx, deps, ctx, items),
      missingGroups: (tx: Tx, ids: readonly string[]) => missingGroups(tx, ids),
      /** The same tasks for many people in one transaction, each person at most once (user-tasks-batch.ts). */
      batch: {
        setAccountsEnabled: (tx: Tx, ctx: RequestContext, userIds: readonly string[], enabled: boolean) =>
          setAccountsEnabled(tx, deps, ctx, userIds, enabled),
        softDeleteUsers: (tx: Tx, ctx: RequestContext, userIds: readonly string[]) =>
          softDeleteUsers(tx, deps, ctx, userIds),
        addUsersToGroups: (
          tx: Tx,
          ctx: RequestContext,
          items: readonly { userId: string; groupIds: readonly string[] }[],
        ) => addUsersToGroups(tx, deps, ctx, items),
        removeUsersFromGroups: (
          tx: Tx,
          ctx: RequestContext,
          items: readonly { userId: string; which: readonly string[] | 'all' }[],
        ) => removeUsersFromGroups(tx, deps, ctx, items),
      },
      setManagers: (
        tx: Tx,
        ctx: RequestContext,
        pairs: readonly { userId: string; managerId: string | null }[],
      ) => setManagers(tx, deps, ctx, pairs),
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;

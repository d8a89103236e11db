import type { AttributeChange, ObjectKind, TargetAttributes, TargetObject } from '../../outbound/index.ts';
import { connectorFail, connectorOk } from '../../outbound/index.ts';
import { ATTRIBUTE_NAME } from './config.ts';
import { type DirectoryContext, type Op, pick, RESERVED, without } from './directory-context.ts';
import { checkDn, checkId, memberValues, reservedBoolean, reservedString } from './directory-entries.ts';
import { diffChanges } from './directory-modify.ts';
import { canonicalDn, type Dn, dnStringKey, formatDn, sameDn } from './dn.ts';
import { toLdapValues } from './entry-shape.ts';
import { invalid, ResultCode, resultCodeOf } from './errors.ts';
import { type AttributeMap, setAttribute, toAttributes } from './flavor.ts';

/** Writing entries: the create path (an add, then the flavor's follow-up) and the update path (modify, rename). */

export async function createEntry(
  ctx: DirectoryContext,
  kind: ObjectKind,
  attributes: TargetAttributes,
  members: readonly string[],
): Op<TargetObject> {
  const { settings, flavor, deps, main, spellings, memberAttr, placeholderKey, failure, fromError } = ctx;
  const checked = checkDn(ctx, kind, pick(attributes, 'dn'));
  if (!checked.ok) return connectorFail(checked.failure);
  const dnText = canonicalDn((pick(attributes, 'dn') as string).trim());
  const plain = without(attributes, RESERVED);
  spellings.learn(plain);

  const map: AttributeMap = new Map();
  for (const [name, value] of Object.entries(plain)) {
    if (!ATTRIBUTE_NAME.test(name)) return connectorFail(invalid(`"${name}" is not an LDAP attribute name`));
    const values = toLdapValues(value);
    if (values.length > 0) setAttribute(map, name, values);
  }
  const classes = kind === 'user' ? settings.userObjectClasses : settings.groupObjectClasses;
  const mappedClasses = (map.get('objectclass')?.values ?? []) as string[];
  const allClasses = [...classes];
  for (const oc of mappedClasses)
    if (!allClasses.some((c) => c.toLowerCase() === oc.toLowerCase())) allClasses.push(oc);
  setAttribute(map, 'objectClass', allClasses);

  // The RDN's values must be in the entry; add them when the mappings did not, refuse a contradiction.
  for (const ava of checked.dn[0]!) {
    const existing = map.get(ava.type.toLowerCase());
    if (!existing) setAttribute(map, ava.type, [ava.value]);
    else if (!(existing.values as string[]).some((v) => v.toLowerCase() === ava.value.toLowerCase()))
      return connectorFail(
        invalid(
          `dn names the entry ${ava.type}=${ava.value} but the ${existing.name} attribute is ${existing.values.join(', ')}`,
        ),
      );
  }

  let memberList: string[] = [];
  if (kind === 'group') {
    const fromAttributes = (map.get(memberAttr.toLowerCase())?.values ?? []) as string[];
    const all = [...fromAttributes, ...members];
    const checkedMembers = memberValues(all);
    if (!checkedMembers.ok) return connectorFail(checkedMembers.failure);
    const seen = new Set<string>();
    memberList = all
      .filter((dn) => {
        const key = dnStringKey(dn);
        if (seen.has(key) || key === placeholderKey) return false;
        seen.add(key);
        return true;
      })
      .map(canonicalDn);
    const stored = memberList.length > 0 ? memberList : flavor.placeholder ? [flavor.placeholder] : [];
    map.delete(memberAttr.toLowerCase());
    if (stored.length > 0) setAttribute(map, memberAttr, stored);
  }

  const active = reservedBoolean(attributes, 'active');
  if (active === 'bad') return connectorFail(invalid('the reserved attribute active must be a boolean'));
  const password = reservedString(attributes, 'password');
  if (password === 'bad') return connectorFail(invalid('the reserved attribute password must be a string'));
  const reserved: { active?: boolean; password?: string } = {};
  if (active !== undefined) reserved.active = active;
  if (password !== undefined && kind === 'user') reserved.password = password;
  const extras = flavor.createExtras(kind, map, reserved, main.secure);
  if (!extras.ok) return extras;
  const secrets = password ? [password] : [];

  try {
    await main.run((client) => client.add(dnText, toAttributes(map)), { idempotent: false });
  } catch (error) {
    if (resultCodeOf(error) === ResultCode.noSuchObject)
      return connectorFail(
        invalid(`create ${dnText}: the parent entry ${formatDn(checked.dn.slice(1))} does not exist`),
      );
    return fromError(error, `create ${dnText}`, secrets);
  }

  const echoed: TargetAttributes = { ...without(attributes, new Set(['password'])), dn: dnText };
  if (extras.value.after.length > 0) {
    try {
      const after = extras.value.after;
      await main.run((client) => client.modify(dnText, after), { idempotent: true });
    } catch (error) {
      // The entry exists: answering a failure would make the engine create it again. Answer it
      // disabled; the next update that enables it meets (and reports) the same refusal.
      deps.logger.warn(
        { dn: dnText, reason: failure(error, `enable ${dnText}`, secrets).message },
        'ldap connector: created the account but could not enable it',
      );
      if (kind === 'user') echoed['active'] = false;
    }
  }
  if (kind === 'group') return connectorOk({ id: dnText, attributes: echoed, members: memberList });
  return connectorOk({ id: dnText, attributes: echoed });
}

export async function updateEntry(
  ctx: DirectoryContext,
  kind: ObjectKind,
  id: string,
  change: AttributeChange,
  desired: TargetAttributes,
): Op<TargetObject> {
  const { main, fromError } = ctx;
  const checkedId = checkId(id);
  if (!checkedId.ok) return connectorFail(checkedId.failure);
  const newDnValue = pick(change.set, 'dn');
  let target: Dn | undefined;
  let targetText = canonicalDn(id);
  if (newDnValue !== undefined && newDnValue !== null) {
    const checked = checkDn(ctx, kind, newDnValue);
    if (!checked.ok) return connectorFail(checked.failure);
    if (!sameDn(checked.dn, checkedId.dn)) {
      target = checked.dn;
      targetText = canonicalDn((newDnValue as string).trim());
    }
  }
  const diff = await diffChanges(ctx, kind, id, change).catch((error: unknown) =>
    fromError(error, `update ${id}`),
  );
  if (!diff.ok) return diff;
  const { changes, secrets } = diff.value;

  // With a rename, attributes of the old and new RDN are written after it (before, the server would
  // refuse to drop the old RDN value); values the rename itself sets are not written twice.
  const rdnTypes = new Set<string>();
  if (target) for (const ava of [...checkedId.dn[0]!, ...target[0]!]) rdnTypes.add(ava.type.toLowerCase());
  const before = changes.filter((c) => !rdnTypes.has(c.name.toLowerCase()));
  const after = changes.filter((c) => {
    if (!rdnTypes.has(c.name.toLowerCase())) return false;
    const newValues = target![0]!
      .filter((ava) => ava.type.toLowerCase() === c.name.toLowerCase())
      .map((ava) => ava.value.toLowerCase());
    const written = (c.change.modification.values as string[]).map((v) => String(v).toLowerCase());
    return !(written.length === newValues.length && written.every((v) => newValues.includes(v)));
  });

  let step = `update ${id}`;
  try {
    if (before.length > 0)
      await main.run(
        (client) =>
          client.modify(
            id,
            before.map((c) => c.change),
          ),
        { idempotent: true },
      );
    if (target) {
      step = `rename ${id} to ${targetText}`;
      const wire = formatDn(target, { hexBackslash: true });
      await main.run((client) => client.modifyDN(id, wire), { idempotent: false });
      if (after.length > 0) {
        step = `update ${targetText}`;
        await main.run(
          (client) =>
            client.modify(
              targetText,
              after.map((c) => c.change),
            ),
          { idempotent: true },
        );
      }
    }
  } catch (error) {
    return fromError(error, step, secrets);
  }
  const attributes: TargetAttributes = { ...without(desired, new Set(['password'])), dn: targetText };
  return connectorOk({ id: targetText, attributes });
}

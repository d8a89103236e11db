import { Attribute, Change, type Client } from 'ldapts';
import {
  type AttributeChange,
  type ConnectorResult,
  connectorFail,
  connectorOk,
  type ObjectKind,
} from '../../outbound/index.ts';
import { ATTRIBUTE_NAME } from './config.ts';
import { type DirectoryContext, type Op, RESERVED, without } from './directory-context.ts';
import { checkId, memberValues, readEntry, reservedBoolean, reservedString } from './directory-entries.ts';
import { dnStringKey } from './dn.ts';
import { toLdapValues } from './entry-shape.ts';
import { invalid, ResultCode, resultCodeOf } from './errors.ts';
import { replace } from './flavor.ts';

/** Modifications: the changes an update's diff asks for, and adding and removing group members. */

/** Changes a diff asks for, split by whether they touch naming attributes (those wait for a rename). */
export async function diffChanges(
  ctx: DirectoryContext,
  kind: ObjectKind,
  id: string,
  change: AttributeChange,
): Promise<ConnectorResult<{ changes: Array<{ name: string; change: Change }>; secrets: string[] }>> {
  const { spellings, memberAttr, flavor, main } = ctx;
  const out: Array<{ name: string; change: Change }> = [];
  const secrets: string[] = [];
  const setPlain = without(change.set, RESERVED);
  spellings.learn(setPlain);
  for (const [name, value] of Object.entries(setPlain)) {
    if (!ATTRIBUTE_NAME.test(name)) return connectorFail(invalid(`"${name}" is not an LDAP attribute name`));
    let values = toLdapValues(value);
    if (kind === 'group' && name.toLowerCase() === memberAttr.toLowerCase()) {
      const checked = memberValues(values);
      if (!checked.ok) return connectorFail(checked.failure);
      if (values.length === 0 && flavor.placeholder) values = [flavor.placeholder];
    }
    out.push({ name, change: replace(name, values) });
  }
  for (const name of change.remove) {
    const lower = name.toLowerCase();
    if (lower === 'dn' || lower === 'password') continue;
    if (lower === 'active') continue;
    if (!ATTRIBUTE_NAME.test(name)) return connectorFail(invalid(`"${name}" is not an LDAP attribute name`));
    spellings.learnName(name);
    // Replace with no values deletes the attribute and, unlike delete, succeeds when it is absent.
    const values =
      kind === 'group' && lower === memberAttr.toLowerCase() && flavor.placeholder
        ? [flavor.placeholder]
        : [];
    out.push({ name, change: replace(name, values) });
  }
  const active = reservedBoolean(change.set, 'active');
  if (active === 'bad') return connectorFail(invalid('the reserved attribute active must be a boolean'));
  if (active !== undefined && kind === 'user') {
    const changes = await flavor.activeChanges(id, active, (dn, attributes) =>
      readEntry(ctx, dn, attributes),
    );
    if (!changes.ok) return changes;
    for (const c of changes.value) out.push({ name: c.modification.type, change: c });
  }
  const password = reservedString(change.set, 'password');
  if (password === 'bad') return connectorFail(invalid('the reserved attribute password must be a string'));
  if (password !== undefined && kind === 'user') {
    secrets.push(password);
    const changes = flavor.passwordChanges(password, main.secure);
    if (!changes.ok) return changes;
    for (const c of changes.value) out.push({ name: c.modification.type, change: c });
  }
  return connectorOk({ changes: out, secrets });
}

export async function modifyMembers(
  ctx: DirectoryContext,
  groupId: string,
  memberIds: readonly string[],
  operation: 'add' | 'delete',
): Op<void> {
  const { placeholderKey, memberAttr, main, flavor, fromError } = ctx;
  const where = `${operation === 'add' ? 'addMembers' : 'removeMembers'} ${groupId}`;
  const id = checkId(groupId);
  if (!id.ok) return connectorFail(id.failure);
  const checked = memberValues(memberIds);
  if (!checked.ok) return connectorFail(checked.failure);
  const values = checked.values.filter((dn) => dnStringKey(dn) !== placeholderKey);
  if (values.length === 0) return connectorOk(undefined);
  const memberChange = (op: 'add' | 'delete', list: string[]) =>
    new Change({ operation: op, modification: new Attribute({ type: memberAttr, values: list }) });
  const modify = (changes: Change[]) =>
    main.run((client: Client) => client.modify(groupId, changes), { idempotent: true });
  // "Already there" and "already gone" are success by contract. OpenLDAP says 20/16; AD says 68 for a
  // duplicate add and 53 (00000561) for removing a non-member.
  const benign = (error: unknown) => {
    const code = resultCodeOf(error);
    if (operation === 'add')
      return (
        code === ResultCode.attributeOrValueExists || (flavor.ad && code === ResultCode.entryAlreadyExists)
      );
    return (
      code === ResultCode.noSuchAttribute ||
      (flavor.ad &&
        code === ResultCode.unwillingToPerform &&
        /00000561/.test(String((error as Error).message)))
    );
  };
  try {
    if (operation === 'add') {
      // One modify normally: add the members and drop the placeholder. The placeholder delete fails
      // (16) when it is not there, and the add fails (20) when one member already is: then go slower.
      const withPlaceholder = flavor.placeholder ? [memberChange('delete', [flavor.placeholder])] : [];
      try {
        await modify([memberChange('add', values), ...withPlaceholder]);
        return connectorOk(undefined);
      } catch (error) {
        const code = resultCodeOf(error);
        if (!(code === ResultCode.noSuchAttribute && withPlaceholder.length > 0) && !benign(error))
          throw error;
      }
      try {
        await modify([memberChange('add', values)]);
      } catch (error) {
        if (!benign(error)) throw error;
        for (const value of values) {
          try {
            await modify([memberChange('add', [value])]);
          } catch (inner) {
            if (!benign(inner)) throw inner;
          }
        }
      }
      if (flavor.placeholder) {
        try {
          await modify([memberChange('delete', [flavor.placeholder])]);
        } catch (error) {
          if (resultCodeOf(error) !== ResultCode.noSuchAttribute) throw error;
        }
      }
      return connectorOk(undefined);
    }
    // Removal. When the last member leaves a groupOfNames, the server refuses (65): put the
    // placeholder in, in the same modify.
    const attempt = async (list: string[]) => {
      try {
        await modify([memberChange('delete', list)]);
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.objectClassViolation && flavor.placeholder)
          await modify([memberChange('delete', list), memberChange('add', [flavor.placeholder])]);
        else throw error;
      }
    };
    try {
      await attempt(values);
    } catch (error) {
      if (!benign(error)) throw error;
      for (const value of values) {
        try {
          await attempt([value]);
        } catch (inner) {
          if (!benign(inner)) throw inner;
        }
      }
    }
    return connectorOk(undefined);
  } catch (error) {
    return fromError(error, where);
  }
}

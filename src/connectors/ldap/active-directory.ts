import type { Entry } from 'ldapts';
import { connectorFail, connectorOk, type ObjectKind } from '../../outbound/index.ts';
import type { AdConnectorConfig } from './config.ts';
import { entryValues } from './entry-shape.ts';
import { type AttributeMap, classFilter, type Flavor, replace, setAttribute } from './flavor.ts';

/**
 * Active Directory: `user` and `group` objects, `active` as the ACCOUNTDISABLE bit of
 * `userAccountControl`, the initial password as `unicodePwd`.
 */

/** userAccountControl flags (MS-ADTS 2.2.16). */
export const UAC = { ACCOUNTDISABLE: 0x2, NORMAL_ACCOUNT: 0x200 } as const;

/**
 * AD's password encoding: the password in double quotes, UTF-16LE, sent as binary. AD accepts it only
 * over an encrypted connection.
 */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

const insecurePassword = () =>
  connectorFail({
    code: 'invalid',
    message:
      'Active Directory accepts a password (unicodePwd) only over an encrypted connection: use an ldaps:// url or startTls',
    retryable: false,
  });

function parseUac(entry: Entry | null): number | undefined {
  const raw = entry ? entryValues(entry, 'userAccountControl')?.[0] : undefined;
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

export function activeDirectoryFlavor(config: AdConnectorConfig): Flavor {
  const lastClass = (kind: ObjectKind) =>
    (kind === 'user' ? config.userObjectClasses : config.groupObjectClasses).at(-1)!;

  return {
    type: 'ad',
    ad: true,
    memberAttribute: 'member',
    // AD groups may be empty.
    placeholder: null,
    canDisable: true,
    extraUserAttributes: ['userAccountControl'],
    hidden: new Set(['unicodepwd', 'userpassword', 'objectguid', 'objectsid', 'ntsecuritydescriptor']),
    notes: [
      'flavor Active Directory',
      'active: userAccountControl ACCOUNTDISABLE (0x2), other bits preserved',
      'password: unicodePwd, only over ldaps:// or StartTLS',
    ],
    filterFor: (kind) => classFilter(lastClass(kind), kind === 'user'),
    readActive(entry) {
      const uac = parseUac(entry);
      return uac === undefined ? undefined : (uac & UAC.ACCOUNTDISABLE) === 0;
    },
    createExtras(kind, attributes: AttributeMap, reserved, secure) {
      if (kind === 'group') {
        if (!attributes.has('grouptype')) setAttribute(attributes, 'groupType', [String(config.groupType)]);
        return connectorOk({ after: [] });
      }
      if (reserved.password !== undefined) {
        if (!secure) return insecurePassword();
        setAttribute(attributes, 'unicodePwd', [encodeUnicodePwd(reserved.password)]);
      }
      // AD's usual order: create the account disabled (with its password), then enable it. Enabling
      // first would be refused by the password policy while the account has no password.
      const mapped = attributes.get('useraccountcontrol')?.values[0];
      const base = typeof mapped === 'string' && /^-?\d+$/.test(mapped) ? Number(mapped) : UAC.NORMAL_ACCOUNT;
      setAttribute(attributes, 'userAccountControl', [String(base | UAC.ACCOUNTDISABLE)]);
      const enable = reserved.active !== false && (base & UAC.ACCOUNTDISABLE) === 0;
      return connectorOk({
        after: enable ? [replace('userAccountControl', [String(base & ~UAC.ACCOUNTDISABLE)])] : [],
      });
    },
    async activeChanges(dn, active, read) {
      // Read-modify-write: userAccountControl holds many flags (password never expires, smart card...).
      const current = parseUac(await read(dn, ['userAccountControl'])) ?? UAC.NORMAL_ACCOUNT;
      const next = active ? current & ~UAC.ACCOUNTDISABLE : current | UAC.ACCOUNTDISABLE;
      return connectorOk(next === current ? [] : [replace('userAccountControl', [String(next)])]);
    },
    passwordChanges(password, secure) {
      if (!secure) return insecurePassword();
      return connectorOk([replace('unicodePwd', [encodeUnicodePwd(password)])]);
    },
  };
}

import { z } from 'zod';
import { tryParseDn } from './dn.ts';

/**
 * Connector configuration, one schema per flavor over shared fields. Parsed at the edge (application
 * create/update), so every value the connector reads later is known to be well formed: URLs, DNs,
 * attribute names.
 */

const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

const attributeName = (what: string) =>
  z
    .string()
    .trim()
    .regex(ATTRIBUTE_NAME, `${what} must be an LDAP attribute name (letters, digits, "-") or an OID`);

const dnString = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(2000)
    .superRefine((value, ctx) => {
      const parsed = tryParseDn(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${what}: ${parsed.message}` });
      else if (parsed.dn.length === 0) ctx.addIssue({ code: 'custom', message: `${what} may not be empty` });
    });

const ldapUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'url must look like ldap://host:389 or ldaps://host:636' });
      return;
    }
    if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:')
      ctx.addIssue({
        code: 'custom',
        message: `url must start with ldap:// or ldaps://, not ${url.protocol}//`,
      });
    else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'url must name a host' });
    else if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.username)
      ctx.addIssue({
        code: 'custom',
        message: 'url takes only scheme, host and port; set the base DNs in userBase and groupBase',
      });
  });

const tlsSchema = z
  .strictObject({
    /** Verify the server certificate (chain and host name). Turn off only for a lab. */
    rejectUnauthorized: z.boolean().default(true),
    /** PEM certificate(s) of the CA that signed the server certificate, when it is not a public CA. */
    ca: z
      .string()
      .max(100_000)
      .refine((pem) => pem.includes('-----BEGIN CERTIFICATE-----'), 'tls.ca must be a PEM certificate')
      .optional(),
  })
  .default({ rejectUnauthorized: true });

const objectClasses = (defaults: readonly string[]) =>
  z
    .array(attributeName('an object class'))
    .min(1, 'list at least one object class')
    .max(20)
    .default([...defaults]);

function commonFields(flavor: 'ldap' | 'ad') {
  return {
    url: ldapUrl,
    /** The account the connector binds as. For AD also `user@domain` or `DOMAIN\\user`. */
    bindDn: flavor === 'ldap' ? dnString('bindDn') : z.string().trim().min(1, 'bindDn is required').max(2000),
    bindPassword: z.string().min(1, 'bindPassword is required').max(1000),
    tls: tlsSchema,
    /** Upgrade an ldap:// connection with StartTLS before binding. */
    startTls: z.boolean().default(false),
    /** Per operation and for connecting, in milliseconds. */
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
    userBase: dnString('userBase'),
    groupBase: dnString('groupBase'),
    /** RDN attribute of user entries: the `dn` mapping must name users by it. */
    userNamingAttribute: attributeName('userNamingAttribute').default(flavor === 'ldap' ? 'uid' : 'cn'),
    groupNamingAttribute: attributeName('groupNamingAttribute').default('cn'),
    /** Page size of the simple paged results control (RFC 2696) used by `list`. */
    pageSize: z.number().int().min(1).max(10_000).default(500),
  };
}

function checkTransport(config: { url: string; startTls: boolean }, ctx: z.RefinementCtx) {
  if (config.startTls && config.url.toLowerCase().startsWith('ldaps:'))
    ctx.addIssue({
      code: 'custom',
      path: ['startTls'],
      message: 'startTls is for ldap:// URLs; an ldaps:// connection is already encrypted',
    });
}

export const ldapConfigSchema = z
  .strictObject({
    ...commonFields('ldap'),
    userObjectClasses: objectClasses(['top', 'person', 'organizationalPerson', 'inetOrgPerson']),
    groupObjectClasses: objectClasses(['top', 'groupOfNames']),
    /** Attribute holding group members' DNs (`uniqueMember` for groupOfUniqueNames). */
    memberAttribute: attributeName('memberAttribute').default('member'),
    /**
     * How `active` is written. OpenLDAP has no standard "disabled" flag; with ppolicy, a
     * `pwdAccountLockedTime` of `000001010000Z` locks an account for good. Without this, `disable` is
     * unsupported.
     */
    disable: z
      .strictObject({
        attribute: attributeName('disable.attribute'),
        disabledValue: z.string().min(1, 'disable.disabledValue is required').max(1000),
        /** Written when enabled; null or absent removes the attribute instead. */
        enabledValue: z.string().min(1).max(1000).nullable().default(null),
      })
      .optional(),
    /**
     * groupOfNames requires at least one member, so an empty group holds this DN. It is removed as soon as
     * a real member arrives and added back when the last one leaves. Absent: the bind DN. `null`: groups
     * may be empty (an object class without that rule, such as groupOfMembers).
     */
    emptyGroupMember: dnString('emptyGroupMember').nullable().optional(),
  })
  .superRefine(checkTransport);

export const adConfigSchema = z
  .strictObject({
    ...commonFields('ad'),
    userObjectClasses: objectClasses(['top', 'person', 'organizationalPerson', 'user']),
    groupObjectClasses: objectClasses(['top', 'group']),
    /** Written on group creation when no mapping sets it: global security group by default. */
    groupType: z.number().int().min(-2147483648).max(2147483647).default(-2147483646),
  })
  .superRefine(checkTransport);

export type LdapConnectorConfig = z.output<typeof ldapConfigSchema>;
export type AdConnectorConfig = z.output<typeof adConfigSchema>;
export type LdapConnectorConfigInput = z.input<typeof ldapConfigSchema>;
export type AdConnectorConfigInput = z.input<typeof adConfigSchema>;

/** Credentials in the parsed config: sealed at rest, shown as `********`. */
export const ldapSecretPaths = ['bindPassword'] as const;

export { ATTRIBUTE_NAME };

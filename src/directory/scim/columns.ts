import { type RawBuilder, sql } from 'kysely';
import {
  type AttributeDefinition,
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE_USER,
  JOINERY_USER,
  type SchemaDefinition,
} from '../../scim/index.ts';

/**
 * How each filterable SCIM attribute is stored. The SQL translator only ever sees these specs, so a
 * new attribute is one line here plus its schema definition.
 */
export type ColumnSpec =
  | { kind: 'text'; expr: RawBuilder<unknown>; caseExact: boolean }
  | { kind: 'uuid'; expr: RawBuilder<unknown> }
  | { kind: 'boolean'; expr: RawBuilder<unknown> }
  | { kind: 'timestamp'; expr: RawBuilder<unknown> }
  | { kind: 'number'; expr: RawBuilder<unknown> }
  /** A jsonb array of {value, type, primary} objects; `emailIndex` enables the trigram pre-filter. */
  | { kind: 'multi'; expr: RawBuilder<unknown>; emailIndex: boolean }
  /** Group membership seen from the group (members) or from the user (groups). */
  | { kind: 'members' }
  | { kind: 'memberOf' }
  | { kind: 'constant'; value: string };

const col = (name: string) => sql.ref(name);
const text = (name: string, caseExact = false): ColumnSpec => ({ kind: 'text', expr: col(name), caseExact });

const key = (schema: string, attribute: string, sub: string | null = null) =>
  `${schema}|${attribute}|${sub ?? ''}`.toLowerCase();

const userColumns = new Map<string, ColumnSpec>([
  [key(CORE_USER, 'id'), { kind: 'uuid', expr: col('id') }],
  [key(CORE_USER, 'externalId'), text('external_id', true)],
  [key(CORE_USER, 'userName'), text('user_name')],
  [
    key(CORE_USER, 'name', 'formatted'),
    {
      kind: 'text',
      expr: sql`nullif(concat_ws(' ', honorific_prefix, given_name, middle_name, family_name, honorific_suffix), '')`,
      caseExact: false,
    },
  ],
  [key(CORE_USER, 'name', 'givenName'), text('given_name')],
  [key(CORE_USER, 'name', 'familyName'), text('family_name')],
  [key(CORE_USER, 'name', 'middleName'), text('middle_name')],
  [key(CORE_USER, 'name', 'honorificPrefix'), text('honorific_prefix')],
  [key(CORE_USER, 'name', 'honorificSuffix'), text('honorific_suffix')],
  [key(CORE_USER, 'displayName'), text('display_name')],
  [key(CORE_USER, 'title'), text('title')],
  [key(CORE_USER, 'userType'), text('employee_type')],
  [key(CORE_USER, 'preferredLanguage'), text('preferred_language')],
  [key(CORE_USER, 'timezone'), text('timezone')],
  [key(CORE_USER, 'active'), { kind: 'boolean', expr: col('account_enabled') }],
  [key(CORE_USER, 'emails'), { kind: 'multi', expr: col('emails'), emailIndex: true }],
  [key(CORE_USER, 'phoneNumbers'), { kind: 'multi', expr: col('phone_numbers'), emailIndex: false }],
  [key(CORE_USER, 'groups', 'value'), { kind: 'memberOf' }],
  [key(CORE_USER, 'meta', 'created'), { kind: 'timestamp', expr: col('created_at') }],
  [key(CORE_USER, 'meta', 'lastModified'), { kind: 'timestamp', expr: col('updated_at') }],
  [key(CORE_USER, 'meta', 'resourceType'), { kind: 'constant', value: 'User' }],
  [key(ENTERPRISE_USER, 'employeeNumber'), text('employee_id', true)],
  [key(ENTERPRISE_USER, 'costCenter'), text('cost_center')],
  [key(ENTERPRISE_USER, 'organization'), text('company_name')],
  [key(ENTERPRISE_USER, 'division'), text('division')],
  [key(ENTERPRISE_USER, 'department'), text('department')],
  [key(ENTERPRISE_USER, 'manager', 'value'), { kind: 'uuid', expr: col('manager_id') }],
  [key(JOINERY_USER, 'employeeHireDate'), { kind: 'timestamp', expr: col('employee_hire_date') }],
  [key(JOINERY_USER, 'employeeLeaveDateTime'), { kind: 'timestamp', expr: col('employee_leave_date_time') }],
  [key(JOINERY_USER, 'usageLocation'), text('usage_location')],
  [key(JOINERY_USER, 'personalEmail'), text('personal_email')],
]);

const groupColumns = new Map<string, ColumnSpec>([
  [key(CORE_GROUP, 'id'), { kind: 'uuid', expr: col('id') }],
  [key(CORE_GROUP, 'externalId'), text('external_id', true)],
  [key(CORE_GROUP, 'displayName'), text('display_name')],
  [key(CORE_GROUP, 'members', 'value'), { kind: 'members' }],
  [key(CORE_GROUP, 'meta', 'created'), { kind: 'timestamp', expr: col('created_at') }],
  [key(CORE_GROUP, 'meta', 'lastModified'), { kind: 'timestamp', expr: col('updated_at') }],
  [key(CORE_GROUP, 'meta', 'resourceType'), { kind: 'constant', value: 'Group' }],
]);

/** Custom extension attributes live in users.extension under their own name (names are unique). */
function extensionColumn(attribute: AttributeDefinition): ColumnSpec | undefined {
  const value = sql`extension -> ${attribute.name}`;
  const textValue = sql`extension ->> ${attribute.name}`;
  switch (attribute.type) {
    case 'string':
    case 'reference':
      return { kind: 'text', expr: textValue, caseExact: attribute.caseExact };
    case 'boolean':
      return {
        kind: 'boolean',
        expr: sql`case when jsonb_typeof(${value}) = 'boolean' then (${textValue})::boolean end`,
      };
    case 'integer':
    case 'decimal':
      return {
        kind: 'number',
        expr: sql`case when jsonb_typeof(${value}) = 'number' then (${textValue})::numeric end`,
      };
    case 'dateTime':
      return { kind: 'timestamp', expr: sql`(${textValue})::timestamptz` };
    default:
      return undefined;
  }
}

export type ResourceKind = 'User' | 'Group';

/**
 * The column behind a resolved attribute. A complex attribute with a `value` sub-attribute (manager,
 * members, groups) filtered without one means its value, as RFC 7644 §3.4.2.2 reads `emails co "x"`.
 */
export function columnFor(
  resource: ResourceKind,
  schema: SchemaDefinition,
  attribute: AttributeDefinition,
  sub: AttributeDefinition | null,
  custom: readonly SchemaDefinition[],
): ColumnSpec | undefined {
  const map = resource === 'User' ? userColumns : groupColumns;
  const found = map.get(key(schema.id, attribute.name, sub?.name ?? null));
  if (found) return found;
  if (sub === null && attribute.subAttributes?.some((s) => s.name === 'value')) {
    const asValue = map.get(key(schema.id, attribute.name, 'value'));
    if (asValue) return asValue;
  }
  if (resource === 'User' && sub === null && custom.some((c) => c.id === schema.id)) {
    return extensionColumn(attribute);
  }
  return undefined;
}

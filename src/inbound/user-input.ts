import { leaveEffectiveAt, zoneOf } from '../core/index.ts';
import type { User } from '../directory/index.ts';
import type { Value } from '../mapping/index.ts';
import { parseTarget } from './source-schema.ts';

/** What a mapped record asks of the directory: attributes, and the manager by the manager's source key. */
export interface DirectoryInput {
  input: Record<string, unknown>;
  /** undefined: the manager does not flow; null: clear it; a string: the manager's matching value. */
  managerKey: string | null | undefined;
  errors: { target: string; message: string }[];
}

/** A source value as one trimmed string (a list gives its first value); null when empty or absent. */
export function asText(value: Value | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : asText(value[0] as Value);
  const text = String(value).trim();
  return text === '' ? null : text;
}

const truthy = new Set(['true', '1', 'yes', 'y', 'active']);
const falsy = new Set(['false', '0', 'no', 'n', 'inactive']);

function asBoolean(value: Value): boolean | null | 'invalid' {
  if (typeof value === 'boolean') return value;
  const text = asText(value);
  if (text === null) return null;
  const lower = text.toLowerCase();
  if (truthy.has(lower)) return true;
  if (falsy.has(lower)) return false;
  return 'invalid';
}

/** HR systems send local date-times without an offset ("2026-03-01T09:00:00"): read them as UTC. */
function asInstant(value: Value): string | null {
  const text = asText(value);
  if (text === null) return null;
  let iso = text;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) iso = `${text}Z`;
  else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(text)) iso = `${text.replace(' ', 'T')}Z`;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) iso = `${text}T00:00:00Z`;
  // The directory stores instants as toISOString(); giving it the same spelling lets an unchanged date
  // compare equal without a validation pass. Anything else is left for the directory to judge.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso)) return text;
  // Date.parse rolls 2026-02-30 over to March; such a date must reach the directory as written and fail.
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return text;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

type Contact = { value: string; type?: string | null; primary?: boolean };

function withContact(list: Contact[], type: string, value: string | null): Contact[] {
  const rest = list.filter((c) => (c.type ?? '').toLowerCase() !== type);
  if (value === null) return rest;
  const hadPrimary = list.some((c) => (c.type ?? '').toLowerCase() === type && c.primary === true);
  const entry: Contact = { value, type };
  // The work address is primary unless another entry already is; a replaced primary stays primary.
  if (hadPrimary || (type === 'work' && !rest.some((c) => c.primary === true))) entry.primary = true;
  return [...rest, entry];
}

/** Turns mapped target values into the directory's attribute input (validated by the directory). */
export function toDirectoryInput(values: ReadonlyMap<string, Value>, before: User | null): DirectoryInput {
  const input: Record<string, unknown> = {};
  const errors: DirectoryInput['errors'] = [];
  let managerKey: string | null | undefined;
  let emails: Contact[] | null = null;
  let phones: Contact[] | null = null;
  const extension: Record<string, unknown> = {};
  for (const [targetText, value] of values) {
    const target = parseTarget(targetText);
    if (!target) {
      errors.push({ target: targetText, message: `unknown target "${targetText}"` });
      continue;
    }
    switch (target.kind) {
      case 'manager':
        managerKey = asText(value);
        break;
      case 'email':
        emails = withContact(emails ?? [...(before?.emails ?? [])], target.type, asText(value));
        break;
      case 'phone':
        phones = withContact(phones ?? [...(before?.phoneNumbers ?? [])], target.type, asText(value));
        break;
      case 'extension':
        extension[target.name] = Array.isArray(value) ? [...value] : value;
        break;
      case 'scalar': {
        const name = target.name;
        if (name === 'accountEnabled') {
          const b = asBoolean(value);
          if (b === 'invalid')
            errors.push({ target: name, message: `accountEnabled: "${String(value)}" is not a boolean` });
          else if (b !== null) input[name] = b;
        } else if (name === 'employeeHireDate' || name === 'employeeLeaveDateTime') {
          input[name] = asInstant(value);
        } else if (name === 'usageLocation') {
          const text = asText(value);
          input[name] = text === null ? null : text.toUpperCase();
        } else {
          input[name] = asText(value);
        }
      }
    }
  }
  if (emails) input.emails = emails;
  if (phones) input.phoneNumbers = phones;
  if (Object.keys(extension).length > 0) input.extension = extension;
  return { input, managerKey, errors };
}

/**
 * HR's leave date is authoritative: once it has passed the person is a leaver even if HR still says
 * active, unless a later hire date says they came back. A date-only leave date passes at the end of
 * that day in the person's own zone (their last day is a whole day), an instant at that instant.
 */
export function leaveDateReached(
  input: Record<string, unknown>,
  before: User | null,
  now: Date,
  defaultZone: string,
): boolean {
  const leave = (
    input.employeeLeaveDateTime === undefined ? before?.employeeLeaveDateTime : input.employeeLeaveDateTime
  ) as string | null | undefined;
  if (!leave) return false;
  const leaveAt = Date.parse(leave);
  if (Number.isNaN(leaveAt)) return false;
  const zone = zoneOf(
    (input.timezone === undefined ? before?.timezone : input.timezone) as string | null | undefined,
    defaultZone,
  );
  if (leaveEffectiveAt(new Date(leaveAt), zone).getTime() > now.getTime()) return false;
  const hire = (input.employeeHireDate === undefined ? before?.employeeHireDate : input.employeeHireDate) as
    | string
    | null
    | undefined;
  const hireAt = hire ? Date.parse(hire) : Number.NaN;
  return !(hireAt > leaveAt);
}

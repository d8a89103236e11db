import { err, failure, ok, type Result } from '../core/index.ts';

const personFields = [
  'displayName',
  'givenName',
  'familyName',
  'userName',
  'mail',
  'department',
  'title',
  'employeeHireDate',
  'employeeLeaveDateTime',
] as const;

export type PersonField = (typeof personFields)[number];

/** Fields formatted as dates rather than copied. */
export const personDateFields: ReadonlySet<string> = new Set<PersonField>([
  'employeeHireDate',
  'employeeLeaveDateTime',
]);

export const PLACEHOLDERS: readonly string[] = Object.freeze([
  ...personFields.map((f) => `user.${f}`),
  ...personFields.map((f) => `manager.${f}`),
  'activation.code',
  'activation.url',
  'activation.validFrom',
  'activation.expiresAt',
  'changes',
]);

const known = new Set(PLACEHOLDERS);

export type Segment = { kind: 'text'; text: string } | { kind: 'placeholder'; name: string };

const namePattern = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$/;

function invalid(message: string, details: Record<string, unknown>): Result<Segment[]> {
  return err(failure('notifications.invalid_template', message, details));
}

/**
 * Splits `{{name}}` placeholders (spaces inside the braces allowed) from the text around them. Anything
 * that looks like an attempt at one and is not a well-formed known name is refused, so a typo is caught
 * when a workflow is saved rather than showing up as a blank in someone's mail.
 */
export function parseTemplate(text: string): Result<Segment[]> {
  const segments: Segment[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    const stray = text.indexOf('}}', at);
    if (stray !== -1 && (open === -1 || stray < open))
      return invalid(`"}}" at position ${stray} closes no placeholder`, { position: stray });
    if (open === -1) {
      segments.push({ kind: 'text', text: text.slice(at) });
      break;
    }
    if (open > at) segments.push({ kind: 'text', text: text.slice(at, open) });
    const close = text.indexOf('}}', open + 2);
    if (close === -1) return invalid(`"{{" at position ${open} is never closed`, { position: open });
    const inner = text.slice(open + 2, close);
    const name = inner.trim();
    if (inner.includes('{') || !namePattern.test(name))
      return invalid(`"{{${inner}}}" at position ${open} is not a placeholder name`, {
        position: open,
        placeholder: name,
      });
    if (!known.has(name))
      return invalid(`unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.join(', ')}`, {
        position: open,
        placeholder: name,
        known: PLACEHOLDERS,
      });
    segments.push({ kind: 'placeholder', name });
    at = close + 2;
  }
  return ok(segments);
}

export function checkTemplate(text: string): Result<void> {
  const parsed = parseTemplate(text);
  return parsed.ok ? ok(undefined) : parsed;
}

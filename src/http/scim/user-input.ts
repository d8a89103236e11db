import { type UserCreateInput, userCreateSchema } from '../../directory/index.ts';
import type { SchemaDefinition, ScimError, ScimResource } from '../../scim/index.ts';
import { normaliseInstant } from '../../scim/index.ts';
import { scimPathOfField, scimToUserInput } from './user-resource.ts';

function customError(value: unknown, type: string): string | null {
  if (value === null) return null;
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'integer':
      return Number.isInteger(value) ? null : 'must be an integer';
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'dateTime':
      return typeof value === 'string' && normaliseInstant(value) !== null
        ? null
        : 'must be an ISO 8601 date-time';
    default:
      return typeof value === 'string' && value.length <= 2048
        ? null
        : 'must be a string of at most 2048 characters';
  }
}

/**
 * A full SCIM User (POST, PUT, or the result of a PATCH) checked and turned into the directory's
 * input. Errors are `invalidValue` and name the attribute as the client spelled it in SCIM terms.
 */
export function userInputFrom(
  resource: ScimResource,
  custom: readonly SchemaDefinition[],
): { ok: true; value: UserCreateInput } | { ok: false; error: ScimError } {
  const input = scimToUserInput(resource, custom);
  if (input.userName === undefined || input.userName === null)
    return { ok: false, error: { status: 400, scimType: 'invalidValue', detail: 'userName is required' } };
  for (const schema of custom) {
    for (const a of schema.attributes) {
      const value = (input.extension as Record<string, unknown> | undefined)?.[a.name];
      const problem = customError(value ?? null, a.type);
      if (problem)
        return {
          ok: false,
          error: { status: 400, scimType: 'invalidValue', detail: `${schema.id}:${a.name} ${problem}` },
        };
    }
  }
  const parsed = userCreateSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const details = parsed.error.issues.map((issue) => {
    const [field, ...rest] = issue.path.map(String);
    const path = [scimPathOfField[field ?? ''] ?? field, ...rest].filter(Boolean).join('.');
    return `${path}: ${issue.message}`;
  });
  return { ok: false, error: { status: 400, scimType: 'invalidValue', detail: details.join('; ') } };
}

import { z } from 'zod';
import { recordAudit } from '../../audit/index.ts';
import { err, failure, ok, type RequestContext, type Result } from '../../core/index.ts';
import {
  attr,
  enterpriseUserSchema,
  joineryUserSchema,
  type SchemaDefinition,
  userSchema,
} from '../../scim/index.ts';
import type { DirectoryDeps } from '../deps.ts';
import { transact } from '../transact.ts';

/**
 * Admin-declared SCIM extension schemas for users (for example
 * `urn:ietf:params:scim:schemas:extension:csv:1.0:User`). Their values live in users.extension under
 * the attribute name, so attribute names are unique across all declared schemas and never shadow a
 * standard attribute.
 */
export const extensionSchemaInput = z.strictObject({
  id: z
    .string()
    .regex(
      /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(:[A-Za-z0-9()+,\-.=@;$_!*'%/?#]+)+$/,
      'must be a URN such as urn:ietf:params:scim:schemas:extension:csv:1.0:User',
    )
    .max(256),
  name: z.string().trim().min(1).max(128),
  description: z.string().max(1024).default(''),
  attributes: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'attribute names are letters, digits and _'),
        type: z.enum(['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference']),
        description: z.string().max(1024).default(''),
        caseExact: z.boolean().default(false),
        required: z.literal(false).default(false),
        mutability: z.enum(['readWrite', 'readOnly', 'immutable']).default('readWrite'),
      }),
    )
    .min(1)
    .max(100),
});
export type ExtensionSchemaInput = z.input<typeof extensionSchemaInput>;

const standardNames = new Set(
  [userSchema, enterpriseUserSchema, joineryUserSchema].flatMap((s) =>
    s.attributes.map((a) => a.name.toLowerCase()),
  ),
);
const reservedUris = new Set(
  [userSchema.id, enterpriseUserSchema.id, joineryUserSchema.id].map((u) => u.toLowerCase()),
);

function toDefinition(row: {
  id: string;
  name: string;
  description: string;
  attributes: unknown;
}): SchemaDefinition {
  const attributes = extensionSchemaInput.shape.attributes.parse(row.attributes);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    attributes: attributes.map((a) =>
      attr(a.name, a.type, a.description, { caseExact: a.caseExact, mutability: a.mutability }),
    ),
  };
}

export async function listExtensionSchemas(deps: DirectoryDeps): Promise<SchemaDefinition[]> {
  const rows = await deps.db.selectFrom('scim_extension_schemas').selectAll().orderBy('created_at').execute();
  return rows.map(toDefinition);
}

export async function declareExtensionSchema(
  deps: DirectoryDeps,
  ctx: RequestContext,
  raw: unknown,
): Promise<Result<SchemaDefinition>> {
  const parsed = extensionSchemaInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err(
      failure('request.invalid', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      }),
    );
  }
  const input = parsed.data;
  if (reservedUris.has(input.id.toLowerCase()))
    return err(failure('directory.invalid_value', `${input.id} is a built-in schema`, { field: 'id' }));
  const names = input.attributes.map((a) => a.name.toLowerCase());
  const clash = names.find((n, i) => standardNames.has(n) || names.indexOf(n) !== i);
  if (clash)
    return err(
      failure('directory.uniqueness', `attribute "${clash}" is declared twice or is a standard attribute`, {
        field: 'attributes',
        value: clash,
      }),
    );
  return transact(deps.db, async (tx) => {
    const others = await tx
      .selectFrom('scim_extension_schemas')
      .selectAll()
      .where('id', '<>', input.id)
      .execute();
    for (const other of others.map(toDefinition)) {
      const taken = other.attributes.find((a) => names.includes(a.name.toLowerCase()));
      if (taken)
        return err(
          failure('directory.uniqueness', `attribute "${taken.name}" is already declared by ${other.id}`, {
            field: 'attributes',
            value: taken.name,
          }),
        );
    }
    const now = deps.clock.now();
    const before = await tx
      .selectFrom('scim_extension_schemas')
      .selectAll()
      .where('id', '=', input.id)
      .executeTakeFirst();
    const row = {
      id: input.id,
      name: input.name,
      description: input.description,
      resource_type: 'User',
      attributes: JSON.stringify(input.attributes),
      updated_at: now,
    };
    await tx
      .insertInto('scim_extension_schemas')
      .values({ ...row, created_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: before ? 'scim_schema.updated' : 'scim_schema.declared',
        targetType: 'scim_schema',
        targetId: input.id,
        details: { attributes: input.attributes.map((a) => a.name) },
      },
    ]);
    return ok(toDefinition({ ...input, attributes: input.attributes }));
  });
}

export async function removeExtensionSchema(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<null>> {
  return transact(deps.db, async (tx) => {
    const removed = await tx
      .deleteFrom('scim_extension_schemas')
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!removed) return err(failure('request.not_found', `extension schema ${id} is not declared`, { id }));
    // Values stay in users.extension: removing a declaration must never destroy data.
    await recordAudit(tx, deps.clock, ctx, [
      { action: 'scim_schema.removed', targetType: 'scim_schema', targetId: id },
    ]);
    return ok(null);
  });
}

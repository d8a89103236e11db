import { z } from 'zod';
import {
  compileExpression,
  type Evaluation,
  type Expression,
  isRedacted,
  type Value,
} from './expression/index.ts';
import type { SourceRecord } from './source-record.ts';

/**
 * One attribute mapping, as Entra defines them: how one target attribute gets its value from a source
 * record. `direct` copies a source attribute, `constant` writes a fixed value, `expression` evaluates
 * Entra's expression language, `none` writes only the default value (Entra's "None" type).
 */
export const attributeMappingSchema = z
  .strictObject({
    target: z.string().trim().min(1).max(300),
    type: z.enum(['direct', 'constant', 'expression', 'none']),
    source: z.string().trim().min(1).max(300).optional(),
    value: z.string().max(4000).nullable().optional(),
    expression: z.string().min(1).max(20_000).optional(),
    /** Used when the source gives null or an empty string (Entra's "default value if null"). */
    defaultValue: z.string().max(4000).nullable().optional(),
    /** `onCreate`: only when the person is new (Entra's "apply this mapping: only during object creation"). */
    apply: z.enum(['always', 'onCreate']).default('always'),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'direct' && !m.source)
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'a direct mapping needs source' });
    if (m.type === 'expression' && !m.expression)
      ctx.addIssue({
        code: 'custom',
        path: ['expression'],
        message: 'an expression mapping needs expression',
      });
    if (m.type === 'constant' && m.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a constant mapping needs value' });
  });

export type AttributeMapping = z.input<typeof attributeMappingSchema>;
export type ParsedAttributeMapping = z.output<typeof attributeMappingSchema>;

export interface MappingCompileError {
  index: number;
  target: string;
  message: string;
  line?: number;
  column?: number;
}

export interface MappingError {
  target: string;
  code: string;
  message: string;
}

export interface MappingRunContext {
  /** True when the record matched no user: `onCreate` mappings apply. */
  isCreate: boolean;
  now(): Date;
  /** SelectUniqueValue: true when no directory object holds `candidate` for `target`. */
  isUnique?: (target: string, candidate: string) => Promise<boolean>;
}

export interface MappedRecord {
  /** Target → value for every mapping that flows. Absent targets keep their stored value. */
  values: Map<string, Value>;
  errors: MappingError[];
}

export interface CompiledMappings {
  readonly targets: readonly string[];
  /** Source attributes any mapping reads. */
  readonly sourceAttributes: readonly string[];
  readonly usesDirectory: boolean;
  /** Targets whose expression uses Redact: logs show a marker instead of their values. */
  readonly redactedTargets: readonly string[];
  apply(record: SourceRecord, ctx: MappingRunContext): Promise<MappedRecord>;
  /** Only when !usesDirectory: the bulk hot path, no promise per record. */
  applySync(record: SourceRecord, ctx: MappingRunContext): MappedRecord;
}

interface Compiled {
  mapping: ParsedAttributeMapping;
  expression: Expression | null;
}

const isEmpty = (v: Value | undefined): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Settles one mapping's raw outcome into `out`: errors, "do not flow", defaults for null or absent. */
function settle(
  mapping: ParsedAttributeMapping,
  evaluation: Evaluation | undefined,
  out: MappedRecord,
  raw?: Value,
) {
  const fallback = mapping.defaultValue;
  if (evaluation && !evaluation.ok) {
    out.errors.push({
      target: mapping.target,
      code: evaluation.error.code,
      message: evaluation.error.message,
    });
    return;
  }
  if (evaluation && !evaluation.flow) return;
  const value = evaluation ? evaluation.value : raw;
  if (value === undefined) {
    // A source attribute the record does not carry keeps the stored value (HR sends what it owns),
    // unless a default is configured.
    if (fallback !== undefined && fallback !== null) out.values.set(mapping.target, fallback);
    return;
  }
  if (isEmpty(value) && fallback !== undefined) out.values.set(mapping.target, fallback);
  else out.values.set(mapping.target, value);
}

/** The mappings that need no evaluation; false for expressions. */
function applyPlain(mapping: ParsedAttributeMapping, record: SourceRecord, out: MappedRecord): boolean {
  switch (mapping.type) {
    case 'direct':
      settle(mapping, undefined, out, record.get(mapping.source ?? ''));
      return true;
    case 'constant':
      out.values.set(mapping.target, mapping.value ?? null);
      return true;
    case 'none':
      if (mapping.defaultValue !== undefined) out.values.set(mapping.target, mapping.defaultValue);
      return true;
    default:
      return false;
  }
}

function contextFor(record: SourceRecord, ctx: MappingRunContext, target: string) {
  const unique = ctx.isUnique;
  return {
    attribute: (name: string) => record.get(name),
    now: () => ctx.now(),
    ...(unique ? { isUnique: (candidate: string) => unique(target, candidate) } : {}),
  };
}

/** Parses and compiles every expression once; errors name the mapping and the line and column. */
export function compileMappings(
  input: readonly ParsedAttributeMapping[],
): { ok: true; mappings: CompiledMappings } | { ok: false; errors: MappingCompileError[] } {
  const errors: MappingCompileError[] = [];
  const compiled: Compiled[] = [];
  const seen = new Map<string, number>();
  input.forEach((mapping, index) => {
    const key = mapping.target.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        index,
        target: mapping.target,
        message: `target "${mapping.target}" is already mapped by mapping ${first}`,
      });
      return;
    }
    seen.set(key, index);
    if (mapping.type !== 'expression') {
      compiled.push({ mapping, expression: null });
      return;
    }
    const result = compileExpression(mapping.expression ?? '');
    if (!result.ok) {
      const { message, line, column } = result.error;
      errors.push({ index, target: mapping.target, message, line, column });
      return;
    }
    compiled.push({ mapping, expression: result.expression });
  });
  if (errors.length > 0) return { ok: false, errors };
  const usesDirectory = compiled.some((c) => c.expression?.usesDirectory === true);
  const sourceAttributes = [
    ...new Set(
      compiled.flatMap((c) =>
        c.mapping.type === 'direct' && c.mapping.source
          ? [c.mapping.source]
          : [...(c.expression?.attributes ?? [])],
      ),
    ),
  ];
  return {
    ok: true,
    mappings: {
      targets: compiled.map((c) => c.mapping.target),
      sourceAttributes,
      usesDirectory,
      redactedTargets: compiled.flatMap((c) =>
        c.expression && isRedacted(c.expression) ? [c.mapping.target] : [],
      ),
      applySync(record, ctx) {
        if (usesDirectory)
          throw new Error('these mappings use the directory (SelectUniqueValue): call apply()');
        const out: MappedRecord = { values: new Map(), errors: [] };
        for (const { mapping, expression } of compiled) {
          if (mapping.apply === 'onCreate' && !ctx.isCreate) continue;
          if (expression === null) applyPlain(mapping, record, out);
          else settle(mapping, expression.evaluateSync(contextFor(record, ctx, mapping.target)), out);
        }
        return out;
      },
      async apply(record, ctx) {
        const out: MappedRecord = { values: new Map(), errors: [] };
        for (const { mapping, expression } of compiled) {
          if (mapping.apply === 'onCreate' && !ctx.isCreate) continue;
          if (expression === null) applyPlain(mapping, record, out);
          else settle(mapping, await expression.evaluate(contextFor(record, ctx, mapping.target)), out);
        }
        return out;
      },
    },
  };
}

/**
 * Scoping filters: which source records are in scope for provisioning, with Microsoft Entra's
 * semantics (learn.microsoft.com, "Scoping users or groups to be provisioned with scoping filters").
 *
 * - A filter is a list of clauses, AND-ed; a list of filters is OR-ed; no filters puts every record in
 *   scope.
 * - String comparisons are case-sensitive and ordinal, as Entra documents for EQUALS, NOT EQUALS,
 *   Includes and REGEX MATCH; ENDS_WITH, & and !& (undocumented on this point) follow the same rule so
 *   no operator quietly differs. A regex can opt out with a leading `(?i)`.
 * - Entra: "Scoping filters will return false if the value is null / empty". So every operator but IS NULL
 *   is false for an absent, null or "" attribute — NOT EQUALS and NOT REGEX MATCH included.
 * - Numbers and booleans compare by their JSON text (1234 EQUALS "1234"; true EQUALS "true").
 * - Multi-valued attributes (Entra does not support them; SCIM sources and JSON pulls have them): a
 *   positive operator holds when any value satisfies it; a negated one (NOT EQUALS, NOT REGEX MATCH,
 *   !&) holds when no value satisfies its positive form, so `NOT EQUALS x` is exactly `not (EQUALS x)`
 *   on a non-empty attribute. Null and "" elements are ignored; an array of only those is empty.
 */
import { z } from 'zod';
import { compileScopingRegex } from './scoping-regex.ts';
import type { SourceRecord, SourceValue } from './source-record.ts';

export interface ScopingClause {
  attribute: string;
  operator: string;
  value?: string;
}

export interface ScopingFilter {
  name?: string;
  clauses: ScopingClause[];
}

/** Canonical operator names, spelled as Entra's portal shows them (and used in decision reasons). */
export const scopingOperators = [
  'EQUALS',
  'NOT EQUALS',
  'IS TRUE',
  'IS FALSE',
  'IS NULL',
  'IS NOT NULL',
  'REGEX MATCH',
  'NOT REGEX MATCH',
  'Includes',
  '&',
  '!&',
  'ENDS_WITH',
  'Greater_Than',
  'Greater_Than_OR_EQUALS',
] as const;

export type ScopingOperator = (typeof scopingOperators)[number];

const unary = new Set<ScopingOperator>(['IS TRUE', 'IS FALSE', 'IS NULL', 'IS NOT NULL']);

/** Operator spelling → canonical name: case-insensitive, spaces and underscores interchangeable. */
const operatorLookup = new Map<string, ScopingOperator>(scopingOperators.map((op) => [operatorKey(op), op]));

function operatorKey(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, '_');
}

export function parseScopingOperator(text: string): ScopingOperator | undefined {
  return operatorLookup.get(operatorKey(text));
}

type Scalar = string | number | boolean;
type Match = (v: Scalar) => boolean;
type Evaluate = (value: SourceValue | undefined) => boolean;

/** Entra's "null / empty": absent, null, "", or an array holding nothing else. */
function isEmpty(value: SourceValue | undefined): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.every(isEmpty);
  return false;
}

/** Whether any non-empty value satisfies `match`; false for an empty attribute. */
function anyValue(value: SourceValue | undefined, match: Match): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some((v: SourceValue) => anyValue(v, match));
  return match(value as Scalar);
}

function text(v: Scalar): string {
  return typeof v === 'string' ? v : String(v);
}

const integerText = /^\s*[+-]?\d+\s*$/;

/** Entra's integer operators want an integer attribute; anything else (12.5, "12a", true) fails. */
function integerOf(v: Scalar): bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && integerText.test(v)) return BigInt(v.trim());
  return undefined;
}

/** IS TRUE / IS FALSE: a JSON boolean, or its text in any case ("True" from CSV and .NET writers). */
function booleanIs(expected: boolean): Match {
  const word = String(expected);
  return (v) => v === expected || (typeof v === 'string' && v.trim().toLowerCase() === word);
}

const positive =
  (match: Match): Evaluate =>
  (value) =>
    anyValue(value, match);

const negative =
  (match: Match): Evaluate =>
  (value) =>
    !isEmpty(value) && !anyValue(value, match);

type Checked = { ok: true; evaluate: Evaluate } | { ok: false; message: string; field: 'operator' | 'value' };

/** Validates one clause and builds its evaluator; the single place both the schema and compile use. */
function checkClause(clause: ScopingClause): Checked {
  const op = parseScopingOperator(clause.operator);
  if (op === undefined) {
    return {
      ok: false,
      field: 'operator',
      message: `unknown operator ${JSON.stringify(clause.operator)}; expected one of ${scopingOperators.join(', ')}`,
    };
  }
  const value = clause.value;
  if (unary.has(op)) {
    if (value !== undefined) return { ok: false, field: 'value', message: `${op} takes no value` };
  } else if (value === undefined || value === '') {
    // An empty value could never match: Entra treats empty attributes as false for every such operator.
    return {
      ok: false,
      field: 'value',
      message: `${op} needs a non-empty value${value === '' ? ' (to test for empty, use IS NULL)' : ''}`,
    };
  }
  const v = value ?? '';
  switch (op) {
    case 'IS NULL':
      return { ok: true, evaluate: isEmpty };
    case 'IS NOT NULL':
      return { ok: true, evaluate: (x) => !isEmpty(x) };
    case 'IS TRUE':
      return { ok: true, evaluate: positive(booleanIs(true)) };
    case 'IS FALSE':
      return { ok: true, evaluate: positive(booleanIs(false)) };
    case 'EQUALS':
      return { ok: true, evaluate: positive((x) => text(x) === v) };
    case 'NOT EQUALS':
      return { ok: true, evaluate: negative((x) => text(x) === v) };
    // Entra: "contains the string value (case sensitive)", i.e. .NET String.Contains.
    case 'Includes':
      return { ok: true, evaluate: positive((x) => text(x).includes(v)) };
    // Entra: "the evaluated attribute exists in the input string value", the reverse containment:
    // department & "Sales,Marketing" holds for "Sales". Not a bitwise AND, despite the symbol.
    case '&':
      return { ok: true, evaluate: positive((x) => v.includes(text(x))) };
    case '!&':
      return { ok: true, evaluate: negative((x) => v.includes(text(x))) };
    case 'ENDS_WITH':
      return { ok: true, evaluate: positive((x) => text(x).endsWith(v)) };
    case 'REGEX MATCH':
    case 'NOT REGEX MATCH': {
      const compiled = compileScopingRegex(v);
      if (!compiled.ok) return { ok: false, field: 'value', message: compiled.message };
      const { regex } = compiled;
      // No g or y flag, so test() keeps no lastIndex state between records.
      const match: Match = (x) => regex.test(text(x));
      return { ok: true, evaluate: op === 'REGEX MATCH' ? positive(match) : negative(match) };
    }
    case 'Greater_Than':
    case 'Greater_Than_OR_EQUALS': {
      if (!/^[+-]?\d+$/.test(v)) {
        return {
          ok: false,
          field: 'value',
          message: `${op} compares integers; ${JSON.stringify(v)} is not one`,
        };
      }
      const bound = BigInt(v);
      const strict = op === 'Greater_Than';
      return {
        ok: true,
        evaluate: positive((x) => {
          const n = integerOf(x);
          return n !== undefined && (strict ? n > bound : n >= bound);
        }),
      };
    }
  }
}

const clauseSchema = z
  .object({
    attribute: z.string({ error: 'attribute must be a string' }).regex(/\S/, 'attribute must not be empty'),
    operator: z.string({ error: 'operator must be a string' }),
    value: z.string({ error: 'value must be a string (quote numbers and booleans)' }).optional(),
  })
  .strict();

const filterShape = z.array(
  z
    .object({
      name: z.string({ error: 'name must be a string' }).optional(),
      clauses: z.array(clauseSchema).min(1, 'a filter needs at least one clause'),
    })
    .strict(),
);

/** Structure plus every clause checked (operator known, value present or absent as it must be, regex valid). */
export const scopingFilterSchema: z.ZodType<ScopingFilter[]> = filterShape.superRefine((filters, ctx) => {
  filters.forEach((filter, f) => {
    filter.clauses.forEach((clause, c) => {
      const checked = checkClause(clause);
      if (!checked.ok)
        ctx.addIssue({ code: 'custom', message: checked.message, path: [f, 'clauses', c, checked.field] });
    });
  });
});

export type ScopingFilters = z.infer<typeof scopingFilterSchema>;

export type ScopingDecision =
  | { inScope: true }
  | {
      inScope: false;
      reason: string;
      /** Name of the (first) filter that failed, when it has one. */
      filter?: string;
      /** The clause that failed it, as configured. */
      clause?: { attribute: string; operator: string; value?: string };
    };

export type CompiledScoping =
  | { ok: true; scope: (record: SourceRecord) => ScopingDecision }
  | { ok: false; message: string; path: (string | number)[] };

interface CompiledClause {
  clause: ScopingClause;
  evaluate: Evaluate;
  /** `department EQUALS "Sales"`, for reasons. */
  text: string;
}

interface CompiledFilter {
  name: string | undefined;
  label: string;
  clauses: CompiledClause[];
}

const IN_SCOPE: ScopingDecision = Object.freeze({ inScope: true });

/** Longest rendering of an attribute's value in a reason; HR records can carry long text. */
const MAX_SHOWN = 120;

function shown(value: SourceValue | undefined): string {
  if (value === undefined) return 'attribute absent';
  const json = JSON.stringify(value);
  return `value ${json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json}`;
}

function filterLabel(filter: ScopingFilter, index: number): string {
  return filter.name ? `filter ${JSON.stringify(filter.name)}` : `filter ${index + 1}`;
}

function location(filters: readonly ScopingFilter[], path: readonly (string | number)[]): string {
  const [f, , c] = path;
  if (typeof f !== 'number') return '';
  // The input failed validation, so it may not even be made of objects.
  const filter: unknown = Array.isArray(filters) ? filters[f] : undefined;
  const named =
    typeof filter === 'object' && filter !== null && 'name' in filter && typeof filter.name === 'string';
  const where = named ? filterLabel(filter as ScopingFilter, f) : `filter ${f + 1}`;
  return typeof c === 'number' ? `${where}, clause ${c + 1}: ` : `${where}: `;
}

function pathOf(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

/**
 * Validates and compiles scoping filters once (regexes included); the returned `scope` runs per record.
 * Errors carry the config path, e.g. `[0, 'clauses', 1, 'value']`, and a message naming the filter.
 */
export function compileScoping(filters: ScopingFilters): CompiledScoping {
  const parsed = filterShape.safeParse(filters);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = pathOf(issue?.path ?? []);
    return { ok: false, message: `${location(filters, path)}${issue?.message ?? 'invalid'}`, path };
  }
  const compiled: CompiledFilter[] = [];
  for (const [f, filter] of parsed.data.entries()) {
    const clauses: CompiledClause[] = [];
    for (const [c, clause] of filter.clauses.entries()) {
      const checked = checkClause(clause);
      if (!checked.ok) {
        const path = [f, 'clauses', c, checked.field];
        return { ok: false, message: `${location(filters, path)}${checked.message}`, path };
      }
      const op = parseScopingOperator(clause.operator);
      const rendered = `${clause.attribute} ${op}${clause.value === undefined ? '' : ` ${JSON.stringify(clause.value)}`}`;
      clauses.push({ clause: { ...clause }, evaluate: checked.evaluate, text: rendered });
    }
    compiled.push({ name: filter.name || undefined, label: filterLabel(filter, f), clauses });
  }
  if (compiled.length === 0) return { ok: true, scope: () => IN_SCOPE };
  return { ok: true, scope: (record) => decide(compiled, record) };
}

function decide(filters: readonly CompiledFilter[], record: SourceRecord): ScopingDecision {
  const failures: { filter: CompiledFilter; clause: CompiledClause; value: SourceValue | undefined }[] = [];
  for (const filter of filters) {
    let failed: CompiledClause | undefined;
    let seen: SourceValue | undefined;
    for (const clause of filter.clauses) {
      const value = record.get(clause.clause.attribute);
      if (!clause.evaluate(value)) {
        failed = clause;
        seen = value;
        break;
      }
    }
    if (failed === undefined) return IN_SCOPE;
    failures.push({ filter, clause: failed, value: seen });
  }
  const parts = failures.map((x) => `${x.filter.label} failed at ${x.clause.text} (${shown(x.value)})`);
  const first = failures[0];
  const decision: ScopingDecision = {
    inScope: false,
    reason: `out of scope: no filter matched; ${parts.join('; ')}`,
  };
  if (first?.filter.name !== undefined) decision.filter = first.filter.name;
  if (first !== undefined) decision.clause = { ...first.clause.clause };
  return decision;
}

/**
 * Pure mapping: source records, Entra's expression language, attribute mappings and scoping filters.
 * Imports only core; no database, so every part can be fuzzed and tested in isolation.
 */
export {
  type AttributeMapping,
  attributeMappingSchema,
  type CompiledMappings,
  compileMappings,
  type MappedRecord,
  type MappingCompileError,
  type MappingError,
  type MappingRunContext,
  type ParsedAttributeMapping,
} from './attribute-mappings.ts';
export {
  compileExpression,
  type Evaluation,
  type EvaluationContext,
  type Expression,
  type ExpressionError,
  functionNames,
  isRedacted,
  type Value,
} from './expression/index.ts';
export {
  compileScoping,
  type ScopingDecision,
  type ScopingFilters,
  scopingFilterSchema,
} from './scoping.ts';
export {
  flatSourceRecord,
  type SourceRecord,
  type SourceValue,
  scimSourceRecord,
} from './source-record.ts';

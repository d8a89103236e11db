import { err, type Failure, failure, ok, type Result } from '../core/index.ts';
import {
  type CompiledMappings,
  compileMappings,
  compileScoping,
  type ScopingDecision,
  type SourceRecord,
} from '../mapping/index.ts';
import { type SourceConfig, sourceConfigSchema, targetProblems } from './source-schema.ts';

/** A source ready to process records: config validated, expressions compiled, scoping compiled. */
export interface CompiledSource {
  id: string;
  version: number;
  config: SourceConfig;
  mappings: CompiledMappings;
  scope: (record: SourceRecord) => ScopingDecision;
}

type Issue = { path: (string | number)[]; message: string };

function invalid(issues: Issue[]): Failure {
  return failure(
    'inbound.invalid_source',
    issues.map((i) => `${i.path.join('.') || 'source'}: ${i.message}`).join('; '),
    { issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  );
}

/** Validates a source definition completely: schema, targets, expressions (line and column), regexes. */
export function compileSource(id: string, version: number, raw: unknown): Result<CompiledSource> {
  const parsed = sourceConfigSchema.safeParse(raw);
  if (!parsed.success) {
    return err(
      invalid(
        parsed.error.issues.map((i) => ({
          path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
          message: i.message,
        })),
      ),
    );
  }
  const config = parsed.data;
  const issues: Issue[] = targetProblems(config);
  const mappings = compileMappings(config.mappings);
  if (!mappings.ok) {
    for (const e of mappings.errors) {
      const where = e.line !== undefined ? ` (line ${e.line}, column ${e.column})` : '';
      issues.push({ path: ['mappings', e.index], message: `${e.target}: ${e.message}${where}` });
    }
  }
  const scope = compileScoping(config.scoping);
  if (!scope.ok) issues.push({ path: ['scoping', ...scope.path], message: scope.message });
  if (issues.length > 0 || !mappings.ok || !scope.ok) return err(invalid(issues));
  return ok({ id, version, config, mappings: mappings.mappings, scope: scope.scope });
}

import { err, type Failure, failure, ok, type Result } from '../core/index.ts';
import {
  attributeMappingSchema,
  type CompiledMappings,
  compileMappings,
  compileScoping,
  type ParsedAttributeMapping,
  type ScopingDecision,
  type SourceRecord,
} from '../mapping/index.ts';
import { type AppDefinition, appDefinitionSchema } from './app-schema.ts';
import type { ConnectorDefinition } from './connector.ts';

export interface Matching {
  target: string;
  source: string;
}

/** An application ready to export: definition validated, connector config parsed, mappings compiled. */
export interface CompiledApp {
  id: string;
  version: number;
  definition: AppDefinition;
  connector: ConnectorDefinition<unknown>;
  /** The connector config as stored (credentials sealed). */
  connectorConfig: unknown;
  userMappings: CompiledMappings;
  groupMappings: CompiledMappings;
  userMatching: Matching;
  groupMatching: Matching;
  /**
   * Targets whose value is a reference to another directory user (a direct mapping from `manager`): the
   * engine replaces the directory id by that user's target id, or holds the attribute back until the
   * referenced user has one.
   */
  referenceTargets: ReadonlySet<string>;
  scope: (record: SourceRecord) => ScopingDecision;
}

type Issue = { path: string; message: string };

function invalid(issues: Issue[]): Failure {
  return failure('outbound.invalid_app', issues.map((i) => `${i.path || 'app'}: ${i.message}`).join('; '), {
    issues,
  });
}

const zodIssues = (issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>, prefix = '') =>
  issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    message: i.message,
  }));

function compileSet(
  name: 'userMappings' | 'groupMappings',
  mappings: readonly ParsedAttributeMapping[],
  issues: Issue[],
): CompiledMappings | null {
  const compiled = compileMappings(mappings);
  if (compiled.ok) return compiled.mappings;
  for (const e of compiled.errors) {
    const where = e.line !== undefined ? ` (line ${e.line}, column ${e.column})` : '';
    issues.push({ path: `${name}.${e.index}`, message: `${e.target}: ${e.message}${where}` });
  }
  return null;
}

/**
 * Validates an application definition completely (schema, connector config against the connector's own
 * schema, every expression with line and column, scoping) and compiles it once per version.
 */
export function compileApp(
  id: string,
  version: number,
  raw: unknown,
  connectors: Readonly<Record<string, ConnectorDefinition<unknown>>>,
): Result<CompiledApp> {
  const parsed = appDefinitionSchema.safeParse(raw);
  if (!parsed.success) return err(invalid(zodIssues(parsed.error.issues)));
  const definition = parsed.data;
  const connector = connectors[definition.connector.type];
  if (!connector) {
    return err(
      invalid([
        {
          path: 'connector.type',
          message: `unknown connector type "${definition.connector.type}" (known: ${Object.keys(connectors).join(', ')})`,
        },
      ]),
    );
  }
  const config = connector.configSchema.safeParse(definition.connector.config);
  if (!config.success) return err(invalid(zodIssues(config.error.issues, 'connector.config')));
  const defaults = connector.defaults(config.data);
  const issues: Issue[] = [];
  const parseDefaults = (list: readonly Record<string, unknown>[]) =>
    list.map((m) => attributeMappingSchema.parse(m));
  const userMappings = compileSet(
    'userMappings',
    definition.userMappings ?? parseDefaults(defaults.user),
    issues,
  );
  const groupMappings = compileSet(
    'groupMappings',
    definition.groupMappings ?? parseDefaults(defaults.group),
    issues,
  );
  const scope = compileScoping(definition.scoping);
  if (!scope.ok) issues.push({ path: `scoping.${scope.path.join('.')}`, message: scope.message });
  const userMatching = definition.userMatching ?? defaults.userMatching;
  const groupMatching = definition.groupMatching ?? defaults.groupMatching;
  const mappedUsers = (definition.userMappings ?? defaults.user).map((m) => String(m.target).toLowerCase());
  if (definition.provisionUsers && !mappedUsers.includes(userMatching.target.toLowerCase()))
    issues.push({ path: 'userMatching.target', message: `"${userMatching.target}" is not a mapped target` });
  if (issues.length > 0 || !userMappings || !groupMappings || !scope.ok) return err(invalid(issues));
  const referenceTargets = new Set(
    (definition.userMappings ?? parseDefaults(defaults.user))
      .filter((m) => m.type === 'direct' && m.source?.toLowerCase() === 'manager')
      .map((m) => m.target),
  );
  return ok({
    id,
    version,
    definition,
    connector,
    connectorConfig: config.data,
    userMappings,
    groupMappings,
    userMatching,
    groupMatching,
    referenceTargets,
    scope: scope.scope,
  });
}

import { fail } from '../errors.ts';
import { eager, type FunctionSpec, runtimeError, type State } from '../runtime.ts';
import { text } from '../values.ts';

/**
 * App role assignments belong to Entra's outbound provisioning (an enterprise application's roles). Joinery
 * parses these so imported mappings compile, and reports them when evaluated.
 */
function notApplicable(name: string): FunctionSpec {
  return eager({ name, params: ['[appRoleAssignments]'], min: 1, max: 1 }, (_values, site) =>
    fail(
      'mapping.not_applicable',
      `${name}: not applicable: app role assignments exist only for outbound applications`,
      site.at,
    ),
  );
}

/**
 * SelectUniqueValue(rule1, rule2, ...): evaluates the rules in order and returns the first value the
 * directory reports unique. Rules are evaluated lazily, one at a time, so a directory round trip is made
 * only when the earlier candidates are taken. Like Entra, it must be the whole expression: anything wrapped
 * around it would change the value after its uniqueness was checked.
 */
const selectUniqueValue: FunctionSpec = {
  name: 'SelectUniqueValue',
  params: ['uniqueValueRule'],
  signature: 'SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, …)',
  min: 2,
  max: Number.POSITIVE_INFINITY,
  variadic: true,
  topLevelOnly: true,
  build: (_args, site) => () => runtimeError(site, 'needs asynchronous evaluation'),
  buildAsync: (args, site) => async (s: State) => {
    const isUnique = s.ctx.isUnique;
    if (isUnique === undefined)
      runtimeError(site, 'no uniqueness check is available (the context has no isUnique)');
    const tried: string[] = [];
    for (const rule of args) {
      // Each rule gets its own flow flag: a rule that asks not to flow is skipped, not fatal to the rest.
      const inner: State = { ctx: s.ctx, flow: true };
      const candidate = text(rule.run(inner), site, 'a uniqueValueRule');
      if (!inner.flow || candidate === null || candidate === '' || tried.includes(candidate)) continue;
      tried.push(candidate);
      if (await isUnique(candidate)) return candidate;
    }
    return runtimeError(
      site,
      tried.length === 0
        ? 'no rule produced a value'
        : `none of the ${tried.length} candidate values is unique (${tried.map((t) => `"${t}"`).join(', ')})`,
    );
  },
};

export const directoryFunctions: readonly FunctionSpec[] = [
  notApplicable('AppRoleAssignmentsComplex'),
  selectUniqueValue,
  notApplicable('SingleAppRoleAssignment'),
];

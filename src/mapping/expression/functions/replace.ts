import { allMatches, compileRegex, expandReplacement, groupSpan, groupValue } from '../dotnet-regex.ts';
import { fail } from '../errors.ts';
import {
  type Arg,
  argumentError,
  type Evaluator,
  type FunctionSpec,
  runtimeError,
  type Site,
  type State,
} from '../runtime.ts';
import { isEmpty, text, textOrEmpty } from '../values.ts';

const params = [
  'source',
  'oldValue',
  'regexPattern',
  'regexGroupName',
  'replacementValue',
  'replacementAttributeName',
  'template',
] as const;
const SOURCE = 0;
const OLD = 1;
const PATTERN = 2;
const GROUP = 3;
const REPLACEMENT = 4;
const ATTRIBUTE = 5;
const TEMPLATE = 6;

/**
 * Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template).
 * Which of Entra's documented behaviours applies depends on which positions are filled in, so it is decided
 * here, once, from the syntax; a filled position whose value turns out to be missing at run time reads as "".
 */
function build(args: readonly Arg[], site: Site): Evaluator {
  const given = (i: number) => args[i] !== undefined && !args[i]?.omitted;
  const arg = (i: number): Arg => args[i] as Arg;
  const mode = (message: string): never => fail('mapping.arity', `Replace: ${message}`, site.at);
  if (given(PATTERN)) {
    const regex = compiledPattern(arg(PATTERN), site);
    if (given(GROUP) && given(ATTRIBUTE)) return fromAttribute(args, site, regex);
    if (given(GROUP) && given(REPLACEMENT)) return replaceGroup(args, site, regex);
    if (given(REPLACEMENT) && !given(GROUP)) return replaceMatches(args, site, regex);
    return mode(
      'with regexPattern, fill in replacementValue, or regexGroupName with replacementValue or replacementAttributeName',
    );
  }
  if (given(GROUP)) return mode('regexGroupName needs regexPattern');
  if (given(OLD) && given(TEMPLATE)) return intoTemplate(args, site);
  if (given(OLD) && given(REPLACEMENT)) return replaceText(args, site);
  if (given(OLD)) return mode('with oldValue, fill in replacementValue or template');
  return mode('fill in oldValue or regexPattern');
}

type RegexOf = (s: State) => RegExp;

/** A literal pattern is compiled now, so a broken one is reported when the mapping is saved. */
function compiledPattern(patternArg: Arg, site: Site): RegexOf {
  if (typeof patternArg.literal === 'string') {
    const regex = compileRegex(patternArg.literal);
    if (typeof regex === 'string') argumentError(site, patternArg, regex);
    return () => regex;
  }
  return (s) => {
    const regex = compileRegex(textOrEmpty(patternArg.run(s), site, 'regexPattern'));
    if (typeof regex === 'string') return runtimeError(site, regex);
    return regex;
  };
}

function oldValueOf(args: readonly Arg[], site: Site, s: State): string {
  const old = textOrEmpty(args[OLD]?.run(s) ?? null, site, 'oldValue');
  if (old === '') runtimeError(site, 'oldValue is empty');
  return old;
}

/** oldValue + replacementValue: every occurrence of oldValue in source, case-sensitively. */
function replaceText(args: readonly Arg[], site: Site): Evaluator {
  return (s) => {
    const source = text(args[SOURCE]?.run(s) ?? null, site, 'source');
    if (source === null) return null;
    const replacement = textOrEmpty(args[REPLACEMENT]?.run(s) ?? null, site, 'replacementValue');
    return source.replaceAll(oldValueOf(args, site, s), () => replacement);
  };
}

/** oldValue + template: every occurrence of oldValue in template becomes the source value. */
function intoTemplate(args: readonly Arg[], site: Site): Evaluator {
  return (s) => {
    const source = text(args[SOURCE]?.run(s) ?? null, site, 'source');
    // Without a source value there is nothing to put in the template; "@contoso.com" is not a login.
    if (source === null) return null;
    const template = textOrEmpty(args[TEMPLATE]?.run(s) ?? null, site, 'template');
    return template.replaceAll(oldValueOf(args, site, s), () => source);
  };
}

/** regexPattern + replacementValue: Regex.Replace, with .NET's $1 / ${name} substitutions. */
function replaceMatches(args: readonly Arg[], site: Site, regexOf: RegexOf): Evaluator {
  return (s) => {
    const source = text(args[SOURCE]?.run(s) ?? null, site, 'source');
    if (source === null) return null;
    const regex = regexOf(s);
    const replacement = textOrEmpty(args[REPLACEMENT]?.run(s) ?? null, site, 'replacementValue');
    let out = '';
    let last = 0;
    for (const m of allMatches(regex, source)) {
      out += source.slice(last, m.index) + expandReplacement(replacement, m, source);
      last = m.index + m[0].length;
    }
    return out + source.slice(last);
  };
}

/** regexPattern + regexGroupName + replacementValue: only the named group's text in each match is replaced. */
function replaceGroup(args: readonly Arg[], site: Site, regexOf: RegexOf): Evaluator {
  return (s) => {
    const source = text(args[SOURCE]?.run(s) ?? null, site, 'source');
    if (source === null) return null;
    const regex = regexOf(s);
    const group = textOrEmpty(args[GROUP]?.run(s) ?? null, site, 'regexGroupName');
    const replacement = textOrEmpty(args[REPLACEMENT]?.run(s) ?? null, site, 'replacementValue');
    let out = '';
    let last = 0;
    for (const m of allMatches(regex, source)) {
      if (groupValue(m, group) === undefined) runtimeError(site, `the pattern has no group named "${group}"`);
      const span = groupSpan(m, group);
      if (span === undefined || span[0] < last) continue;
      out += source.slice(last, span[0]) + replacement;
      last = span[1];
    }
    return out + source.slice(last);
  };
}

/**
 * regexPattern + regexGroupName + replacementAttributeName: the source when it has a value; otherwise the
 * named group of the first match in the replacement attribute (no value when nothing matches).
 */
function fromAttribute(args: readonly Arg[], site: Site, regexOf: RegexOf): Evaluator {
  return (s) => {
    const source = args[SOURCE]?.run(s) ?? null;
    if (!isEmpty(source)) return text(source, site, 'source');
    const other = text(args[ATTRIBUTE]?.run(s) ?? null, site, 'replacementAttributeName');
    if (other === null) return null;
    const regex = regexOf(s);
    const group = textOrEmpty(args[GROUP]?.run(s) ?? null, site, 'regexGroupName');
    const first = allMatches(regex, other)[0];
    if (first === undefined) return null;
    const value = groupValue(first, group);
    if (value === undefined) runtimeError(site, `the pattern has no group named "${group}"`);
    return value;
  };
}

export const replaceFunction: FunctionSpec = {
  name: 'Replace',
  params,
  min: 7,
  max: 7,
  omittable: (i) => i > 0,
  build,
};

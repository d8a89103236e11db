import { eager, type FunctionSpec, runtimeError } from '../runtime.ts';
import {
  describeValue,
  isArray,
  isEmpty,
  looseBoolean,
  one,
  type Scalar,
  textOrEmpty,
  toBoolean,
  type Val,
} from '../values.ts';

function bits(v: Scalar, what: string, fail: (message: string) => never): bigint {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return BigInt(v.trim());
  return fail(`${what} must be a whole number, not ${describeValue(v)}`);
}

/** 64-bit AND, as Entra's Int64 BitAnd; BigInt keeps values such as userAccountControl flags exact. */
const bitAnd = eager({ name: 'BitAnd', params: ['value1', 'value2'], min: 2, max: 2 }, ([a, b], site) => {
  const x = one(a ?? null, site, 'value1');
  const y = one(b ?? null, site, 'value2');
  if (x === null || y === null) return null;
  const fail = (message: string) => runtimeError(site, message);
  return Number(BigInt.asIntN(64, bits(x, 'value1', fail) & bits(y, 'value2', fail)));
});

const cbool = eager({ name: 'CBool', params: ['Expression'], min: 1, max: 1 }, ([v], site) =>
  toBoolean(v ?? null, site, 'Expression'),
);

/** The first argument that has a value; later arguments are not evaluated (Guid() and the like stay unrun). */
const coalesce: FunctionSpec = {
  name: 'Coalesce',
  params: ['source', 'defaultValue'],
  signature: 'Coalesce(source1, source2, …, defaultValue)',
  min: 1,
  max: Number.POSITIVE_INFINITY,
  variadic: true,
  omittable: (i) => i > 0,
  build: (args) => (s) => {
    for (const a of args) {
      const v = a.run(s);
      if (v !== null && !(isArray(v) && v.length === 0)) return v;
    }
    return null;
  },
};

/** Only the chosen branch is evaluated, so CDate in the other branch cannot fail the mapping. */
const iif: FunctionSpec = {
  name: 'IIF',
  params: ['condition', 'valueIfTrue', 'valueIfFalse'],
  min: 3,
  max: 3,
  build:
    ([condition, whenTrue, whenFalse], site) =>
    (s) => {
      const chosen = toBoolean(condition?.run(s) ?? null, site, 'condition') ? whenTrue : whenFalse;
      return chosen?.run(s) ?? null;
    },
};

const isNull = eager({ name: 'IsNull', params: ['Expression'], min: 1, max: 1 }, ([v]) => {
  return v === null || v === undefined || (isArray(v) && v.length === 0);
});

const isNullOrEmpty = eager({ name: 'IsNullOrEmpty', params: ['Expression'], min: 1, max: 1 }, ([v]) =>
  isEmpty(v ?? null),
);

const isPresent = eager(
  { name: 'IsPresent', params: ['Expression'], min: 1, max: 1 },
  ([v]) => !isEmpty(v ?? null),
);

/** True for a string value (a multi-valued attribute holding exactly one string counts as that string). */
const isString = eager({ name: 'IsString', params: ['Expression'], min: 1, max: 1 }, ([v]) => {
  const x: Val = v ?? null;
  if (isArray(x)) return x.length === 1 && typeof x[0] === 'string';
  return typeof x === 'string';
});

/** Entra: "If source value is True, returns False. Otherwise, returns True." So only a true value flips. */
const not = eager({ name: 'Not', params: ['source'], min: 1, max: 1 }, ([v], site) => {
  return looseBoolean(one(v ?? null, site, 'source')) !== true;
});

/**
 * Switch(source, defaultValue, key1, value1, ...): case-sensitive string match of source against each key in
 * turn; no value matches "". Keys are evaluated until one matches and only that key's value is evaluated.
 */
const switchFunction: FunctionSpec = {
  name: 'Switch',
  params: ['source', 'defaultValue', 'key', 'value'],
  signature: 'Switch(source, defaultValue, key1, value1, key2, value2, …)',
  min: 4,
  max: Number.POSITIVE_INFINITY,
  variadic: true,
  omittable: (i) => i === 1 || (i >= 3 && i % 2 === 1),
  countRule: (argc) =>
    argc % 2 === 0 ? undefined : 'keys and values must come in pairs, so the argument count must be even',
  build: (args, site) => {
    const [source, fallback] = args;
    return (s) => {
      const value = textOrEmpty(source?.run(s) ?? null, site, 'source');
      for (let i = 2; i + 1 < args.length; i += 2) {
        if (textOrEmpty(args[i]?.run(s) ?? null, site, `key ${i / 2}`) === value)
          return args[i + 1]?.run(s) ?? null;
      }
      return fallback?.run(s) ?? null;
    };
  },
};

/** Marks the mapping "do not flow" when the value is missing or empty, as Entra drops the attribute. */
const ignoreFlowIfNullOrEmpty = eager(
  { name: 'IgnoreFlowIfNullOrEmpty', params: ['Expression'], min: 1, max: 1 },
  ([v], _site, s) => {
    if (!isEmpty(v ?? null)) return v ?? null;
    s.flow = false;
    return null;
  },
);

/** Entra hides the value in its provisioning logs; the value itself flows unchanged (see isRedacted). */
const redact = eager({ name: 'Redact', params: ['attribute/value'], min: 1, max: 1 }, ([v]) => v ?? null);

export const logicFunctions: readonly FunctionSpec[] = [
  bitAnd,
  cbool,
  coalesce,
  ignoreFlowIfNullOrEmpty,
  iif,
  isNull,
  isNullOrEmpty,
  isPresent,
  isString,
  not,
  redact,
  switchFunction,
];

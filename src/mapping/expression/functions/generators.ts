import { randomInt, randomUUID } from 'node:crypto';
import { eager, type FunctionSpec, runtimeError } from '../runtime.ts';
import { integer, text } from '../values.ts';

const guid = eager({ name: 'Guid', params: [], min: 0, max: 0 }, () => randomUUID());

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
// The special characters of Windows' password complexity rules, which Entra's RandomString refers to.
const SPECIAL = '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/';
const MAX_LENGTH = 256;

/**
 * RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital, MinimumLowerCase,
 * CharactersToAvoid): the minimum of each kind, then the rest drawn from the kinds that were asked for
 * (letters and digits when none was), shuffled; all with node:crypto's CSPRNG, since these become passwords.
 */
const randomString = eager(
  {
    name: 'RandomString',
    params: [
      'Length',
      'MinimumNumbers',
      'MinimumSpecialCharacters',
      'MinimumCapital',
      'MinimumLowerCase',
      'CharactersToAvoid',
    ],
    min: 5,
    max: 6,
    omittable: (i) => i === 5,
  },
  ([lengthArg, numbers, specials, capitals, lowers, avoidArg], site) => {
    const length = integer(lengthArg ?? null, site, 'Length');
    const minimums = [
      integer(numbers ?? null, site, 'MinimumNumbers'),
      integer(specials ?? null, site, 'MinimumSpecialCharacters'),
      integer(capitals ?? null, site, 'MinimumCapital'),
      integer(lowers ?? null, site, 'MinimumLowerCase'),
    ];
    if (length < 1 || length > MAX_LENGTH)
      runtimeError(site, `Length must be from 1 to ${MAX_LENGTH}, not ${length}`);
    if (minimums.some((m) => m < 0)) runtimeError(site, 'the minimums must not be negative');
    const total = minimums.reduce((a, b) => a + b, 0);
    if (total > length) runtimeError(site, `the minimums add up to ${total}, more than Length ${length}`);
    const avoid = new Set(text(avoidArg ?? null, site, 'CharactersToAvoid') ?? '');
    const kinds = [DIGITS, SPECIAL, UPPER, LOWER].map((set) => [...set].filter((c) => !avoid.has(c)));
    const names = ['numbers', 'special characters', 'capital letters', 'lower-case letters'];
    const chars: string[] = [];
    let pool: string[] = [];
    kinds.forEach((kind, i) => {
      const wanted = minimums[i] ?? 0;
      if (wanted === 0) return;
      if (kind.length === 0) runtimeError(site, `CharactersToAvoid leaves no ${names[i]}`);
      for (let n = 0; n < wanted; n++) chars.push(kind[randomInt(kind.length)] ?? '');
      pool = pool.concat(kind);
    });
    if (pool.length === 0) pool = [...(kinds[0] ?? []), ...(kinds[2] ?? []), ...(kinds[3] ?? [])];
    if (pool.length === 0 && chars.length < length)
      runtimeError(site, 'CharactersToAvoid leaves nothing to draw from');
    while (chars.length < length) chars.push(pool[randomInt(pool.length)] ?? '');
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      const t = chars[i] ?? '';
      chars[i] = chars[j] ?? '';
      chars[j] = t;
    }
    return chars.join('');
  },
);

export const generatorFunctions: readonly FunctionSpec[] = [guid, randomString];

/** In-memory evaluation of value filters (RFC 7644 §3.4.2.2) against multi-valued elements. */
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../filter/index.ts';
import { attr } from '../schema-types.ts';
import { userSchema } from '../schemas/index.ts';
import { compileFilter } from './index.ts';

describe('value filter matching (RFC 7644 §3.4.2.2)', () => {
  const emails = userSchema.attributes.find((a) => a.name === 'emails')!;
  const matches = (filter: string, element: unknown) => {
    const parsed = parseFilter(filter);
    if (!parsed.ok) throw new Error(parsed.error.detail);
    const compiled = compileFilter(parsed.value, emails);
    if (!compiled.ok) throw new Error(compiled.error.detail);
    return compiled.value(element);
  };
  const e = { value: 'Barbara@Example.com', type: 'work', primary: true };

  it.each([
    ['value eq "barbara@example.com"', true],
    ['value co "EXAMPLE"', true],
    ['value sw "barb"', true],
    ['value ew ".COM"', true],
    ['value gt "a"', true],
    ['value lt "a"', false],
    ['value ge "barbara@example.com"', true],
    ['value le "barbara@example.co"', false],
    ['type ne "home"', true],
    ['display ne "x"', true],
    ['display eq null', true],
    ['primary eq true', true],
    ['primary eq "True"', true],
    ['primary ne true', false],
    ['display pr', false],
    ['type pr and not (value co "nobody")', true],
    ['type eq "home" or primary eq true', true],
    ['type eq "home" and primary eq true', false],
    ['value eq 5', false],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter, e)).toBe(expected);
  });

  it('compares dateTime sub-attributes as instants', () => {
    const custom = attr('history', 'complex', 'H.', {
      multiValued: true,
      subAttributes: [attr('at', 'dateTime', 'When.'), attr('code', 'string', 'Code.', { caseExact: true })],
    });
    const test = (filter: string, element: unknown) => {
      const parsed = parseFilter(filter);
      if (!parsed.ok) throw new Error(parsed.error.detail);
      const compiled = compileFilter(parsed.value, custom);
      if (!compiled.ok) throw new Error(compiled.error.detail);
      return compiled.value(element);
    };
    const el = { at: '2026-01-01T10:00:00+02:00', code: 'AbC' };
    expect(test('at eq "2026-01-01T08:00:00Z"', el)).toBe(true);
    expect(test('at gt "2026-01-01T09:00:00+02:00"', el)).toBe(true);
    expect(test('at lt "2026-01-01T07:59:59Z"', el)).toBe(false);
    expect(test('code eq "abc"', el)).toBe(false);
    expect(test('code eq "AbC"', el)).toBe(true);
    expect(test('code pr', 'not an object')).toBe(false);
  });

  it('rejects comparisons that make no sense', () => {
    const compile = (filter: string) => {
      const parsed = parseFilter(filter);
      if (!parsed.ok) throw new Error(parsed.error.detail);
      return compileFilter(parsed.value, emails);
    };
    expect(compile('primary co true').ok).toBe(false);
    expect(compile('value gt null').ok).toBe(false);
    expect(compile('emails[type eq "x"]').ok).toBe(false);
  });
});

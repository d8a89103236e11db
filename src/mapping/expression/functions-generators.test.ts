import { describe, expect, it } from 'vitest';
import { runtimeError, value } from './test-support.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const count = (s: string, set: RegExp) => [...s].filter((c) => set.test(c)).length;
const SPECIAL = /[~!@#$%^&*_\-+=`|\\(){}[\]:;"'<>,.?/]/;

describe('Guid', () => {
  it('returns a new random GUID each time', () => {
    const a = value('Guid()');
    const b = value('Guid()');
    expect(a).toMatch(uuid);
    expect(b).toMatch(uuid);
    expect(a).not.toBe(b);
  });
  it('feeds the Workday guide\'s "random 4 digits" expression', () => {
    expect(value('Replace(Replace(Guid(), ,"-", ,"", , ), ,"[^0-9]", ,"", , )')).toMatch(/^[0-9]+$/);
    expect(String(value('Mid(ConvertToBase64(Guid()), 1, 5)'))).toHaveLength(5);
  });
});

describe('RandomString', () => {
  it("Microsoft's example 1: 3 numbers and 3 lower-case letters", () => {
    for (let i = 0; i < 50; i++) {
      const s = String(value('RandomString(6,3,0,0,3)'));
      expect(s).toHaveLength(6);
      expect(count(s, /[0-9]/)).toBe(3);
      expect(count(s, /[a-z]/)).toBe(3);
    }
  });
  it("Microsoft's example 2: minimums met and avoided characters absent", () => {
    for (let i = 0; i < 50; i++) {
      const s = String(value('RandomString(10,2,2,2,1,"?,")'));
      expect(s).toHaveLength(10);
      expect(count(s, /[0-9]/)).toBeGreaterThanOrEqual(2);
      expect(count(s, SPECIAL)).toBeGreaterThanOrEqual(2);
      expect(count(s, /[A-Z]/)).toBeGreaterThanOrEqual(2);
      expect(count(s, /[a-z]/)).toBeGreaterThanOrEqual(1);
      expect(s).not.toMatch(/[?,]/);
      // Only the asked-for kinds appear.
      expect(count(s, /[0-9A-Za-z]/) + count(s, SPECIAL)).toBe(10);
    }
  });
  it('draws letters and digits when no minimum is asked for', () => {
    expect(String(value('RandomString(12,0,0,0,0)'))).toMatch(/^[0-9A-Za-z]{12}$/);
  });
  it('rejects impossible requests', () => {
    expect(runtimeError('RandomString(3,2,2,0,0)').message).toBe(
      'RandomString: the minimums add up to 4, more than Length 3',
    );
    expect(runtimeError('RandomString(257,0,0,0,0)').message).toBe(
      'RandomString: Length must be from 1 to 256, not 257',
    );
    expect(runtimeError('RandomString(0,0,0,0,0)').message).toBe(
      'RandomString: Length must be from 1 to 256, not 0',
    );
    expect(runtimeError('RandomString(4,-1,0,0,0)').message).toBe(
      'RandomString: the minimums must not be negative',
    );
    expect(runtimeError('RandomString(4,1,0,0,0,"0123456789")').message).toBe(
      'RandomString: CharactersToAvoid leaves no numbers',
    );
  });
});

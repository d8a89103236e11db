import { describe, expect, it } from 'vitest';
import { weakReasons } from './password-policy.ts';

const person = { userName: 'nina.newstart@example.com', givenName: 'Nina', familyName: 'Newstart' };

describe('password rules', () => {
  it('accepts a long password unrelated to the person', () => {
    expect(weakReasons('violet-harbour-tractor-91', person, 12)).toEqual([]);
  });

  it('refuses a password shorter than the minimum or longer than 256 characters', () => {
    expect(weakReasons('v1olet-harb', person, 12)).toEqual(['too_short']);
    expect(weakReasons('violet-harbour-tractor-'.repeat(12), person, 12)).toEqual(['too_long']);
  });

  it('counts characters, not UTF-16 units (an emoji is one character)', () => {
    expect(weakReasons('🦊🦊🦊🦊🦊🦊', person, 12)).toContain('too_short');
  });

  it('refuses a password containing the user name or its local part, in any case', () => {
    expect(weakReasons('NINA.NEWSTART@example.com', person, 12)).toContain('contains_user_name');
    expect(weakReasons('my-Nina.Newstart-key', person, 12)).toContain('contains_user_name');
  });

  it('refuses a password containing the given or the family name', () => {
    expect(weakReasons('harbour-NEWSTART-tractor', person, 12)).toEqual(['contains_name']);
    expect(weakReasons('tractor-nina-harbour', person, 12)).toEqual(['contains_name']);
  });

  it('only refuses a two-letter name as the whole password (containment would refuse too much)', () => {
    const li = { userName: 'li@example.com', givenName: 'Li', familyName: 'Wu' };
    expect(weakReasons('violet-lighthouse-91', li, 12)).toEqual([]);
  });

  it('refuses common passwords, also with digits and symbols around them', () => {
    expect(weakReasons('qwertyuiop', person, 8)).toEqual(['common']);
    expect(weakReasons('Password2024!', person, 12)).toEqual(['common']);
    expect(weakReasons('111111111111', person, 12)).toEqual(['common']);
    expect(weakReasons('Sunshine12345', person, 12)).toEqual(['common']);
  });

  it('gives every reason at once', () => {
    expect(weakReasons('nina', person, 12)).toEqual(['too_short', 'contains_name']);
  });
});

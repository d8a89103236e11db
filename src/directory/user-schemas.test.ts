import { describe, expect, it } from 'vitest';
import { groupCreateSchema, memberRefSchema, userCreateSchema, userPatchSchema } from './index.ts';

const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.success ? [] : (result.error?.issues ?? []).map((i) => i.path.join('.'));

describe('user input schemas', () => {
  it('accepts a full user and normalises dates to UTC instants', () => {
    const parsed = userCreateSchema.parse({
      userName: '  ada@example.com ',
      employeeHireDate: '2026-04-01',
      employeeLeaveDateTime: '2026-06-30T18:00:00+02:00',
      timezone: 'America/New_York',
      preferredLanguage: 'en-US',
      usageLocation: 'US',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 (555) 010-0000 x12' }],
      extension: { costCode_2: 'A', flags: [1, 2] },
    });
    expect(parsed.userName).toBe('ada@example.com');
    expect(parsed.employeeHireDate).toBe('2026-04-01T00:00:00.000Z');
    expect(parsed.employeeLeaveDateTime).toBe('2026-06-30T16:00:00.000Z');
  });

  it('names each invalid attribute', () => {
    const result = userCreateSchema.safeParse({
      userName: 'has space',
      timezone: 'Mars/Olympus',
      usageLocation: 'fr',
      preferredLanguage: 'english please',
      personalEmail: 'nope',
      employeeHireDate: '01/04/2026',
      managerId: 'not-a-uuid',
      emails: [
        { value: 'a@example.com', primary: true },
        { value: 'b@example.com', primary: true },
      ],
      phoneNumbers: [{ value: 'call me' }],
      extension: { '1bad': 1 },
    });
    expect(issues(result).sort()).toEqual(
      [
        'userName',
        'timezone',
        'usageLocation',
        'preferredLanguage',
        'personalEmail',
        'employeeHireDate',
        'managerId',
        'emails',
        'phoneNumbers.0.value',
        'extension.1bad',
      ].sort(),
    );
  });

  it('rejects unknown attributes and a create without userName', () => {
    expect(issues(userCreateSchema.safeParse({ userName: 'a', nickName: 'x' }))).toEqual(['']);
    expect(issues(userCreateSchema.safeParse({ title: 'x' }))).toEqual(['userName']);
    expect(new Set(issues(userCreateSchema.safeParse({ userName: '   ' })))).toEqual(new Set(['userName']));
  });

  it('lets a patch omit userName and clear attributes with null', () => {
    expect(userPatchSchema.parse({ title: null, managerId: null })).toEqual({ title: null, managerId: null });
    expect(issues(userPatchSchema.safeParse({ userName: null }))).toEqual(['userName']);
    expect(issues(userPatchSchema.safeParse({ accountEnabled: 'yes' }))).toEqual(['accountEnabled']);
  });

  it('validates groups and member references', () => {
    expect(issues(groupCreateSchema.safeParse({ displayName: '' }))).toEqual(['displayName']);
    expect(issues(groupCreateSchema.safeParse({ displayName: 'G', ownerIds: ['x'] }))).toEqual([
      'ownerIds.0',
    ]);
    expect(
      issues(memberRefSchema.safeParse({ type: 'device', id: '01a21c56-233e-7726-a1d3-86cbc8f96612' })),
    ).toEqual(['type']);
  });
});

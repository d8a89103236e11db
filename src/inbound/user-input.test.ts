import { describe, expect, it } from 'vitest';
import { toDirectoryInput } from './user-input.ts';

const input = (values: Record<string, unknown>) =>
  toDirectoryInput(new Map(Object.entries(values) as [string, never][]), null).input;

describe('mapped values to directory input', () => {
  it('writes instants in the directory’s own spelling, local date-times read as UTC', () => {
    expect(input({ employeeHireDate: '2026-03-01' }).employeeHireDate).toBe('2026-03-01T00:00:00.000Z');
    expect(input({ employeeHireDate: '2026-03-01T09:30:00' }).employeeHireDate).toBe(
      '2026-03-01T09:30:00.000Z',
    );
    expect(input({ employeeHireDate: '2026-03-01 09:30' }).employeeHireDate).toBe('2026-03-01T09:30:00.000Z');
    expect(input({ employeeLeaveDateTime: '2026-03-01T09:30:00+02:00' }).employeeLeaveDateTime).toBe(
      '2026-03-01T07:30:00.000Z',
    );
  });

  it('leaves impossible or foreign dates as written, for the directory to refuse', () => {
    expect(input({ employeeHireDate: '2026-02-30' }).employeeHireDate).toBe('2026-02-30');
    expect(input({ employeeHireDate: '2026-13-01T00:00:00Z' }).employeeHireDate).toBe('2026-13-01T00:00:00Z');
    expect(input({ employeeHireDate: '03/01/2026' }).employeeHireDate).toBe('03/01/2026');
  });

  it('reads booleans from HR spellings and refuses others', () => {
    expect(input({ accountEnabled: 'False' }).accountEnabled).toBe(false);
    expect(input({ accountEnabled: '1' }).accountEnabled).toBe(true);
    const bad = toDirectoryInput(new Map([['accountEnabled', 'maybe']]), null);
    expect(bad.errors).toEqual([
      { target: 'accountEnabled', message: 'accountEnabled: "maybe" is not a boolean' },
    ]);
  });

  it('replaces one typed e-mail and keeps the others; the work address is primary', () => {
    const before = {
      emails: [
        { value: 'old@work.example', type: 'work', primary: true },
        { value: 'me@home.example', type: 'home' },
      ],
    };
    const out = toDirectoryInput(new Map([['emails.work', 'new@work.example']]), before as never).input;
    expect(out.emails).toEqual([
      { value: 'me@home.example', type: 'home' },
      { value: 'new@work.example', type: 'work', primary: true },
    ]);
  });
});

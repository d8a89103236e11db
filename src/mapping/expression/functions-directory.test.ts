import { describe, expect, it, vi } from 'vitest';
import { compileExpression } from './index.ts';
import { context, runtimeError } from './test-support.ts';

const upn = `SelectUniqueValue(
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"),
    Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com")
)`;
const john = { PreferredFirstName: 'John', PreferredLastName: 'Smith' };

function compiled(text: string) {
  const c = compileExpression(text);
  if (!c.ok) throw new Error(c.error.message);
  return c.expression;
}

describe('SelectUniqueValue', () => {
  it("Microsoft's example: the first candidate the directory does not hold", async () => {
    const e = compiled(upn);
    expect(e.usesDirectory).toBe(true);
    const taken = new Set<string>();
    const isUnique = vi.fn(async (c: string) => !taken.has(c));
    expect(await e.evaluate(context(john, { isUnique }))).toEqual({
      ok: true,
      value: 'John.Smith@contoso.com',
      flow: true,
    });
    taken.add('John.Smith@contoso.com');
    expect(await e.evaluate(context(john, { isUnique }))).toMatchObject({ value: 'J.Smith@contoso.com' });
    taken.add('J.Smith@contoso.com');
    expect(await e.evaluate(context(john, { isUnique }))).toMatchObject({ value: 'Jo.Smith@contoso.com' });
  });

  it('evaluates candidates lazily: later rules are not run once one is unique', async () => {
    const e = compiled('SelectUniqueValue("a", CDate("not a date"))');
    const isUnique = vi.fn(async () => true);
    expect(await e.evaluate(context({}, { isUnique }))).toMatchObject({ value: 'a' });
    expect(isUnique).toHaveBeenCalledTimes(1);
  });

  it('skips empty and repeated candidates', async () => {
    const e = compiled('SelectUniqueValue([missing], "a", "a", "b")');
    const isUnique = vi.fn(async (c: string) => c === 'b');
    expect(await e.evaluate(context({}, { isUnique }))).toMatchObject({ value: 'b' });
    expect(isUnique.mock.calls.map((c) => c[0])).toEqual(['a', 'b']);
  });

  it('fails clearly when no candidate is unique or no check is available', async () => {
    const e = compiled('SelectUniqueValue("a", "b")');
    expect(await e.evaluate(context({}, { isUnique: async () => false }))).toEqual({
      ok: false,
      error: {
        code: 'mapping.runtime',
        message: 'SelectUniqueValue: none of the 2 candidate values is unique ("a", "b")',
        line: 1,
        column: 1,
      },
    });
    expect(await e.evaluate(context())).toEqual({
      ok: false,
      error: {
        code: 'mapping.runtime',
        message: 'SelectUniqueValue: no uniqueness check is available (the context has no isUnique)',
        line: 1,
        column: 1,
      },
    });
    expect(
      await compiled('SelectUniqueValue([a], [b])').evaluate(context({}, { isUnique: async () => true })),
    ).toMatchObject({
      ok: false,
      error: { message: 'SelectUniqueValue: no rule produced a value' },
    });
  });

  it('cannot be evaluated synchronously', () => {
    expect(() => compiled('SelectUniqueValue("a", "b")').evaluateSync(context())).toThrow(
      /call evaluate\(\)/,
    );
  });

  it('passes directory failures through to the caller', async () => {
    const e = compiled('SelectUniqueValue("a", "b")');
    await expect(
      e.evaluate(
        context(
          {},
          {
            isUnique: async () => {
              throw new Error('database is down');
            },
          },
        ),
      ),
    ).rejects.toThrow('database is down');
  });
});

describe('AppRoleAssignmentsComplex and SingleAppRoleAssignment', () => {
  it('compile but are not applicable when evaluated', () => {
    expect(runtimeError('AppRoleAssignmentsComplex([appRoleAssignments])')).toEqual({
      code: 'mapping.not_applicable',
      message:
        'AppRoleAssignmentsComplex: not applicable: app role assignments exist only for outbound applications',
      line: 1,
      column: 1,
    });
    expect(runtimeError('Join(",", SingleAppRoleAssignment([appRoleAssignments]))')).toEqual({
      code: 'mapping.not_applicable',
      message:
        'SingleAppRoleAssignment: not applicable: app role assignments exist only for outbound applications',
      line: 1,
      column: 11,
    });
  });
});

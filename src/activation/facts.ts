import type { User } from '../directory/index.ts';
import { constantTimeEqual } from './code-hash.ts';
import type { VerificationFact } from './types.ts';
import { hireDay, zoneOf } from './validity.ts';

/** The fact as the directory holds it, in the form the person is asked to type; null when unknown. */
function expectedFact(user: User, fact: VerificationFact, defaultZone: string): string | null {
  switch (fact) {
    case 'employeeId':
      return user.employeeId;
    case 'externalId':
      return user.externalId;
    case 'personalEmail':
      return user.personalEmail?.trim().toLowerCase() ?? null;
    case 'employeeHireDate': {
      const zone = zoneOf(user, defaultZone);
      return user.employeeHireDate ? hireDay(user.employeeHireDate, zone) : null;
    }
  }
}

function typedFact(typed: string, fact: VerificationFact): string {
  const t = typed.trim();
  return fact === 'personalEmail' ? t.toLowerCase() : t;
}

/**
 * Whether the typed fact is the person's. Compared in constant time; a person without the fact on
 * record never matches, yet takes the same comparison (nothing in the timing says which case it was).
 */
export function factMatches(
  user: User | null,
  typed: string,
  fact: VerificationFact,
  defaultZone: string,
): boolean {
  const expected = user ? expectedFact(user, fact, defaultZone) : null;
  const same = constantTimeEqual(expected ?? '\u0000no fact on record', typedFact(typed, fact));
  return same && expected !== null && expected !== '';
}

/** The label the activation page shows for the fact. */
export const factLabel: Record<VerificationFact, string> = {
  employeeId: 'Employee number',
  employeeHireDate: 'Hire date (YYYY-MM-DD)',
  personalEmail: 'Personal e-mail address',
  externalId: 'HR reference number',
};

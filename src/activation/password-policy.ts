import { readFileSync } from 'node:fs';
import type { User } from '../directory/index.ts';

export const PASSWORD_MAX_LENGTH = 256;

export type WeakReason = 'too_short' | 'too_long' | 'contains_user_name' | 'contains_name' | 'common';

export const weakReasonText: Record<WeakReason, (minLength: number) => string> = {
  too_short: (min) => `must be at least ${min} characters long`,
  too_long: () => `must be at most ${PASSWORD_MAX_LENGTH} characters long`,
  contains_user_name: () => 'must not contain your user name',
  contains_name: () => 'must not contain your name',
  common: () => 'is too common: it appears in lists attackers try first',
};

let common: Set<string> | undefined;

/** The shipped list (common-passwords.txt), loaded once on first use. */
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
  return common;
}

/**
 * Whether the password is a common one, or one with digits and symbols stuck around a common one
 * ("Password2024!" is "password" to anyone guessing).
 */
function isCommon(password: string): boolean {
  const lower = password.toLowerCase();
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const list = commonPasswords();
  return list.has(lower) || (core.length >= 4 && list.has(core));
}

/**
 * Why a password is refused (empty: accepted). Names shorter than three letters are only refused as
 * the whole password: containment would rule out too much (every password with "li" in it).
 */
export function weakReasons(
  password: string,
  user: Pick<User, 'userName' | 'givenName' | 'familyName'>,
  minLength: number,
): WeakReason[] {
  const reasons: WeakReason[] = [];
  const length = [...password].length;
  if (length < minLength) reasons.push('too_short');
  if (length > PASSWORD_MAX_LENGTH) reasons.push('too_long');
  const lower = password.toLowerCase();
  const hits = (name: string | null) => {
    const n = name?.trim().toLowerCase();
    if (!n) return false;
    return n.length >= 3 ? lower.includes(n) : lower === n;
  };
  const userName = user.userName.toLowerCase();
  const localPart = userName.includes('@') ? userName.slice(0, userName.indexOf('@')) : null;
  if (hits(userName) || hits(localPart)) reasons.push('contains_user_name');
  if (hits(user.givenName) || hits(user.familyName)) reasons.push('contains_name');
  if (isCommon(password)) reasons.push('common');
  return reasons;
}

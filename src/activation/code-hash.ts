import crypto from 'node:crypto';
import type { SecretBox } from '../core/index.ts';

/** No 0/O, 1/I/L: a code read from a letter or a phone screen is typed back without guessing. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A uniformly random code (randomInt rejects the modulo bias a byte-to-index mapping would have). */
export function generateCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return code;
}

/** What the person typed, as the code is stored: upper case, without spaces and dashes. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s\u2010-\u2015\u2212-]/g, '').toUpperCase();
}

const VERSION = 'hmac1';

/**
 * The stored form of a code: `hmac1$<sealed key>$<HMAC-SHA256(key, code)>`. Each code gets its own
 * random HMAC key, sealed with the SecretBox (the secrets key), so a stolen database alone cannot be
 * searched for codes offline: that needs the secrets key as well. The SecretBox does not hand out its
 * key, which is why the HMAC key travels sealed next to the hash instead of being derived from it.
 */
export function hashCode(secrets: SecretBox, code: string): string {
  const key = crypto.randomBytes(32);
  const mac = crypto.createHmac('sha256', key).update(normalizeCode(code)).digest('base64url');
  return `${VERSION}$${secrets.seal(key.toString('base64url'))}$${mac}`;
}

/** Whether `typed` is the code behind `stored`; the MACs are compared in constant time. */
export function codeMatches(secrets: SecretBox, stored: string, typed: string): boolean {
  const [version, sealedKey, mac] = stored.split('$');
  if (version !== VERSION || !sealedKey || !mac) return false;
  const key = Buffer.from(secrets.open(sealedKey), 'base64url');
  const expected = Buffer.from(mac, 'base64url');
  const actual = crypto.createHmac('sha256', key).update(normalizeCode(typed)).digest();
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/**
 * Constant-time equality of two strings of any lengths: both sides are digested first, so neither the
 * position of the first difference nor the length of the secret shows in the time taken.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = crypto.createHash('sha256').update(a, 'utf8').digest();
  const db = crypto.createHash('sha256').update(b, 'utf8').digest();
  return crypto.timingSafeEqual(da, db);
}

/** A step-2 token: 256 random bits. Full entropy, so a plain SHA-256 is enough to store it. */
export function newSessionToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashSessionToken(token) };
}

export const hashSessionToken = (token: string): string =>
  crypto.createHash('sha256').update(token, 'utf8').digest('hex');

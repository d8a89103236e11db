import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseSecretsKey } from './secret-box.ts';

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('seals to an opaque value that opens back, with a fresh IV each time', () => {
    const a = box.seal('s3cret!');
    const b = box.seal('s3cret!');
    expect(a).not.toContain('s3cret');
    expect(a).not.toBe(b);
    expect(box.isSealed(a)).toBe(true);
    expect(box.open(a)).toBe('s3cret!');
    expect(box.open('plain')).toBe('plain');
  });

  it('refuses a tampered value and a value sealed with another key', () => {
    const sealed = box.seal('token');
    const parts = sealed.split(':');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = [...parts.slice(0, 4), body.toString('base64url')].join(':');
    expect(tampered).not.toBe(sealed);
    expect(() => box.open(tampered)).toThrow(/cannot be opened/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/JOINERY_SECRETS_KEY/);
  });

  it('reads a key as hex or base64 and rejects other lengths', () => {
    const key = randomBytes(32);
    expect(parseSecretsKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseSecretsKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseSecretsKey('abc')).toBeNull();
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

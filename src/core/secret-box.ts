import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'jny-enc:v1:';

/**
 * Encrypts credentials at rest (AES-256-GCM, a fresh 96-bit IV per value, authenticated): a stolen
 * database dump alone does not reveal an HR system's password. Sealed values are self-describing
 * strings, so they travel inside ordinary JSON config.
 */
export interface SecretBox {
  seal(plain: string): string;
  /** The plain text of a sealed value; a value that was never sealed is returned as it is. */
  open(value: string): string;
  isSealed(value: string): boolean;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
    },
    open(value) {
      if (!value.startsWith(PREFIX)) return value;
      const [iv, tag, body] = value.slice(PREFIX.length).split(':');
      if (!iv || !tag || body === undefined) throw new Error('a sealed secret is malformed');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new Error(
          'a sealed secret cannot be opened with this secrets key (JOINERY_SECRETS_KEY changed?)',
        );
      }
    },
    isSealed: (value) => value.startsWith(PREFIX),
  };
}

/** Parses a key given as 64 hex digits or base64 of 32 bytes. */
export function parseSecretsKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, 'base64');
  return b.length === 32 ? b : null;
}

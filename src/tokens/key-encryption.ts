import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Encrypts secrets at rest (signing keys, TOTP secrets) with AES-256-GCM. */
export interface KeyEncryption {
  /** `aad` binds the ciphertext to its row (for example `tenant:kid`), so it cannot be moved to another. */
  encrypt(plaintext: Buffer, aad: string): string;
  decrypt(ciphertext: string, aad: string): Buffer;
}

const VERSION = 'v1';

export function createKeyEncryption(key: Buffer): KeyEncryption {
  if (key.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
  return {
    encrypt(plaintext, aad) {
      // 96-bit random nonce (NIST SP 800-38D §8.2.2); far below the 2^32 messages limit per key.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt(ciphertext, aad) {
      const [version, data] = ciphertext.split('.');
      if (version !== VERSION || !data) throw new Error('unknown ciphertext format');
      const raw = Buffer.from(data, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    },
  };
}

/**
 * The configured secret, or in development one generated once and kept under DATA_DIR (mode 0600)
 * so restarts can still read what was encrypted. Production refuses to start without the setting.
 */
export function loadKeyEncryptionKey(secret: string, dataDir: string): Buffer {
  if (secret) return Buffer.from(secret, 'base64');
  const file = resolve(dataDir, 'key-encryption.secret');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process wrote it first: use theirs, so both encrypt under the same key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadKeyEncryptionKey(secret, dataDir);
    throw error;
  }
  chmodSync(file, 0o600);
  return key;
}

import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../common/api/errors.js';
import { readPrivateJson, writePrivateJson } from './private-json-file.js';

/**
 * Where researcher tokens and the platform admin token live. The renderer may set, check and
 * delete a secret; only main reads one back (to call the platform for the user).
 */
export interface SecretStore {
  /** `os-encrypted`: Electron safeStorage (Keychain, DPAPI, libsecret); `plain-file`: browser mode. */
  readonly protection: 'os-encrypted' | 'plain-file';
  set(key: string, value: string): void;
  get(key: string): string | undefined;
  has(key: string): boolean;
  delete(key: string): boolean;
}

/** Turns a secret into what is written to disk and back. */
export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

const secretsFile = z.object({ version: z.literal(1), secrets: z.record(z.string(), z.string()) });

/**
 * A JSON map key → encoded value in a 0600 file, rewritten atomically (temp file + rename) so a
 * crash mid-write leaves the old file intact.
 */
export class FileSecretStore implements SecretStore {
  constructor(
    readonly file: string,
    private readonly codec: SecretCodec,
    readonly protection: SecretStore['protection'],
  ) {}

  set(key: string, value: string): void {
    const all = this.load();
    all[key] = this.codec.encode(value);
    this.save(all);
  }

  get(key: string): string | undefined {
    const stored = this.load()[key];
    if (stored === undefined) return undefined;
    try {
      return this.codec.decode(stored);
    } catch (error) {
      throw new ApiError(
        'unavailable',
        `The secret "${key}" in ${this.file} cannot be decrypted (${(error as Error).message}).`,
        'It was probably written by another user account or machine; enter it again.',
      );
    }
  }

  has(key: string): boolean {
    return Object.hasOwn(this.load(), key);
  }

  delete(key: string): boolean {
    const all = this.load();
    if (!Object.hasOwn(all, key)) return false;
    delete all[key];
    this.save(all);
    return true;
  }

  private load(): Record<string, string> {
    const data = readPrivateJson(this.file, secretsFile, { version: 1 as const, secrets: {} }, {
      what: 'secrets file',
      fix: 'Move it away (the secrets in it will have to be entered again) and retry.',
    });
    return { ...data.secrets };
  }

  private save(secrets: Record<string, string>): void {
    writePrivateJson(this.file, { version: 1, secrets });
  }
}

/**
 * Browser mode has no OS keychain: secrets are kept as they are, in a file only this user can read.
 * Said once in the log so the user knows, and pointed to the desktop app for encryption.
 */
export function createPlainFileSecretStore(dir: string, warn: (message: string) => void): SecretStore {
  const file = path.join(dir, 'secrets.json');
  let warned = false;
  const store = new FileSecretStore(file, { encode: (s) => s, decode: (s) => s }, 'plain-file');
  const once = (): void => {
    if (warned) return;
    warned = true;
    warn(
      `Secrets are stored unencrypted in ${file} (readable only by you, mode 0600): browser mode has no OS keychain. The desktop app encrypts them with the OS keychain.`,
    );
  };
  return {
    protection: store.protection,
    set: (key, value) => {
      once();
      store.set(key, value);
    },
    get: (key) => store.get(key),
    has: (key) => store.has(key),
    delete: (key) => store.delete(key),
  };
}

/** Encryption supplied by the shell (Electron safeStorage); values are stored as base64 ciphertext. */
export interface OsEncryption {
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
}

export function createEncryptedSecretStore(dir: string, encryption: OsEncryption): SecretStore {
  return new FileSecretStore(
    path.join(dir, 'secrets.enc.json'),
    {
      encode: (plain) => encryption.encryptString(plain).toString('base64'),
      decode: (stored) => encryption.decryptString(Buffer.from(stored, 'base64')),
    },
    'os-encrypted',
  );
}

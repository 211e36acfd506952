import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OsEncryption, type SecretStore, createEncryptedSecretStore, createPlainFileSecretStore } from './secret-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Stands in for Electron safeStorage: real AES-GCM with a key only this "OS account" has. */
function fakeOsEncryption(key = randomBytes(32)): OsEncryption {
  return {
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

function roundTrip(make: () => SecretStore): void {
  const store = make();
  expect(store.has('platform-token:lab')).toBe(false);
  store.set('platform-token:lab', 's3cr3t-value');
  store.set('researcher:ana', 'another');
  const reopened = make();
  expect(reopened.has('platform-token:lab')).toBe(true);
  expect(reopened.get('platform-token:lab')).toBe('s3cr3t-value');
  expect(reopened.delete('platform-token:lab')).toBe(true);
  expect(reopened.delete('platform-token:lab')).toBe(false);
  expect(make().get('platform-token:lab')).toBeUndefined();
  expect(make().get('researcher:ana')).toBe('another');
}

describe('plain-file secret store (browser mode)', () => {
  it('round-trips, in a file only the user can read, and warns once', () => {
    roundTrip(() => createPlainFileSecretStore(dir, () => undefined));
    const file = path.join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const warnings: string[] = [];
    const store = createPlainFileSecretStore(dir, (m) => warnings.push(m));
    store.set('a', '1');
    store.set('b', '2');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('unencrypted');
    expect(warnings[0]).toContain(file);
  });

  it('refuses a damaged secrets file and leaves it as it was', () => {
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, 'not json');
    const store = createPlainFileSecretStore(dir, () => undefined);
    expect(() => store.set('a', '1')).toThrow(/secrets file .* is damaged/);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});

describe('encrypted secret store (desktop, safeStorage)', () => {
  it('round-trips and never writes the secret in clear', () => {
    const os = fakeOsEncryption();
    roundTrip(() => createEncryptedSecretStore(dir, os));
    const text = readFileSync(path.join(dir, 'secrets.enc.json'), 'utf8');
    expect(text).toContain('researcher:ana');
    expect(text).not.toContain('another');
    expect(statSync(path.join(dir, 'secrets.enc.json')).mode & 0o777).toBe(0o600);
  });

  it('says clearly when a secret cannot be decrypted (another account or machine)', () => {
    createEncryptedSecretStore(dir, fakeOsEncryption()).set('platform-token:lab', 'x');
    const elsewhere = createEncryptedSecretStore(dir, fakeOsEncryption());
    expect(elsewhere.has('platform-token:lab')).toBe(true);
    expect(() => elsewhere.get('platform-token:lab')).toThrow(/cannot be decrypted/);
  });
});

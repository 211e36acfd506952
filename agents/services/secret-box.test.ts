import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretKeyError, secretsKeyId } from './secret-box.js';

const keyed = (place = 'the key file /data/secrets.key') => new SecretBox({ key: randomBytes(32), place });
const stored = (json: string) => JSON.parse(json) as Record<string, string>;

// The first character: the last one of a base64 text may carry only padding bits.
function flipFirstChar(text: string): string {
  return `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
}

describe('SecretBox (AES-256-GCM, the run id as AAD)', () => {
  it('opens what it sealed: strings, numbers and booleans, each under its own IV, no plain text stored', () => {
    const box = keyed();
    const secrets = { API_KEY: 'sk-live-1234567890', PORT: 8443, DEBUG: false, EMPTY: '' };
    const sealed = box.seal('run_a', secrets);
    expect(box.open('run_a', sealed)).toEqual(secrets);
    expect(Object.keys(stored(sealed))).toEqual(['API_KEY', 'PORT', 'DEBUG', 'EMPTY']);
    expect(sealed).not.toContain('sk-live');
    const ivs = Object.values(stored(sealed)).map((v) => v.split(':')[2]);
    expect(new Set(ivs).size).toBe(4);
    // The same value sealed twice gives two ciphertexts: equal secrets cannot be spotted.
    expect(stored(box.seal('run_a', { A: 'x' })).A).not.toBe(stored(box.seal('run_a', { A: 'x' })).A);
    expect(box.open('run_a', '{}')).toEqual({});
  });

  it('refuses a ciphertext, IV or tag changed by one character', () => {
    const box = keyed();
    const value = stored(box.seal('run_a', { TOKEN: 'abc' })).TOKEN!;
    const parts = value.split(':');
    for (const i of [2, 3, 4]) {
      const changed = [...parts];
      changed[i] = flipFirstChar(changed[i]!);
      expect(() => box.open('run_a', JSON.stringify({ TOKEN: changed.join(':') }))).toThrow(/secret parameter "TOKEN" of run run_a fails authentication with the key in the key file \/data\/secrets.key/);
    }
    expect(() => box.open('run_a', JSON.stringify({ TOKEN: 'abc' }))).toThrow(SecretKeyError);
  });

  it('refuses a ciphertext moved to another run or to another parameter of the same run', () => {
    const box = keyed();
    const sealed = box.seal('run_a', { A: 'first', B: 'second' });
    expect(() => box.open('run_b', sealed)).toThrow(/of run run_b fails authentication/);
    const { A, B } = stored(sealed);
    expect(() => box.open('run_a', JSON.stringify({ A: B, B: A }))).toThrow(/secret parameter "A" of run run_a fails authentication/);
  });

  it('says which key sealed a value when another key is in place, naming where the key is kept', () => {
    const first = keyed();
    const other = new SecretBox({ key: randomBytes(32), place: 'the SSM parameter /benchtop/lab/secrets-key' });
    const sealed = first.seal('run_a', { A: 'x' });
    const id = stored(sealed).A!.split(':')[1]!;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(() => other.open('run_a', sealed)).toThrow(new RegExp(`sealed with secrets key ${id}, but the SSM parameter /benchtop/lab/secrets-key holds key [0-9a-f]{16}; put back the key`));
  });

  it('without a key: refuses to seal or open, naming the place and the problem; runs without secrets still open', () => {
    const box = new SecretBox({ place: 'the key file /data/secrets.key', problem: 'it does not hold a 32-byte key in base64' });
    expect(box.problem).toBe('the secrets key (the key file /data/secrets.key) is not usable: it does not hold a 32-byte key in base64');
    expect(() => box.seal('run_a', { A: 'x' })).toThrow(/the secret parameters of run run_a cannot be stored: the secrets key \(the key file \/data\/secrets.key\) is not usable/);
    expect(() => box.open('run_a', keyed().seal('run_a', { A: 'x' }))).toThrow(SecretKeyError);
    expect(box.open('run_a', '{}')).toEqual({});
    expect(keyed().problem).toBeNull();
  });

  it('fingerprints secrets with the key: the same values in any order match, another value or key does not, no value shows', () => {
    const key = randomBytes(32);
    const box = new SecretBox({ key, place: 'p' });
    const print = box.fingerprint({ A: 'sekret', B: 2 });
    expect(box.fingerprint({ B: 2, A: 'sekret' })).toBe(print);
    expect(new SecretBox({ key: Buffer.from(key), place: 'q' }).fingerprint({ A: 'sekret', B: 2 })).toBe(print);
    expect(box.fingerprint({ A: 'sekret', B: 3 })).not.toBe(print);
    expect(box.fingerprint({ A: 'sekret', B: '2' })).not.toBe(print);
    expect(keyed().fingerprint({ A: 'sekret', B: 2 })).not.toBe(print);
    expect(print).toMatch(/^[0-9a-f]{64}$/);
    expect(() => new SecretBox({ place: 'p', problem: 'gone' }).fingerprint({ A: 'x' })).toThrow(SecretKeyError);
  });

  it('names keys by a hash that differs per key and does not show the key', () => {
    const key = randomBytes(32);
    expect(secretsKeyId(key)).toBe(secretsKeyId(Buffer.from(key)));
    expect(secretsKeyId(key)).not.toBe(secretsKeyId(randomBytes(32)));
    expect(key.toString('hex')).not.toContain(secretsKeyId(key));
  });
});

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { parameters, type Parameters } from '../../common/protocol/runs.js';

/** The key that seals secret run parameters, and where it is kept (named in every error). */
export interface SecretsKey {
  key: Buffer;
  /** E.g. "the key file /data/secrets.key" or "the SSM parameter /benchtop/lab/secrets-key". */
  place: string;
}

/** What is known when no key could be had: where it should be and why it is not usable. */
export interface MissingSecretsKey {
  place: string;
  problem: string;
}

export const SECRETS_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** A secret parameter that cannot be opened (no key, another key, or a ciphertext that fails authentication). */
export class SecretKeyError extends Error {
  constructor(
    message: string,
    /** 'no-key': none could be had (it may come back); 'refused': another key, or a value that fails authentication. */
    readonly reason: 'no-key' | 'refused' = 'refused',
  ) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/** A short public name of a key, stored with each ciphertext so that "sealed with another key" can be told apart from tampering. */
export function secretsKeyId(key: Buffer): string {
  return createHash('sha256').update('benchtop secrets key id\0').update(key).digest('hex').slice(0, 16);
}

// The run id binds a ciphertext to its run (a copied value does not open under another run) and the
// name to its parameter (two values of one run cannot be swapped).
const aad = (runId: string, name: string) => Buffer.from(`benchtop run secret ${VERSION}\0${runId}\0${name}`, 'utf8');

/**
 * AES-256-GCM for the secret parameters of runs. What is stored is a JSON object by parameter name
 * (names stay readable: a run lists which parameters were secret), each value
 * "v1:<key id>:<iv>:<ciphertext>:<tag>" (base64url) with a random 96-bit IV per value.
 */
export class SecretBox {
  private readonly keyId: string | null;

  constructor(private readonly key: SecretsKey | MissingSecretsKey) {
    this.keyId = 'key' in key ? secretsKeyId(key.key) : null;
  }

  /** Where the key is kept, for messages. */
  get place(): string {
    return this.key.place;
  }

  /** Why no secret can be sealed or opened; null when the key is usable. */
  get problem(): string | null {
    return 'problem' in this.key ? `the secrets key (${this.key.place}) is not usable: ${this.key.problem}` : null;
  }

  seal(runId: string, secrets: Parameters): string {
    const key = this.usableKey(`the secret parameters of run ${runId} cannot be stored`);
    const sealed: Record<string, string> = {};
    for (const [name, value] of Object.entries(secrets)) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(runId, name));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      sealed[name] = [VERSION, this.keyId, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
    }
    return JSON.stringify(sealed);
  }

  /**
   * A keyed digest of the values (HMAC-SHA256), to recognise a repeated request: a plain hash kept
   * in the database would let a weak secret be guessed from a backup.
   */
  fingerprint(secrets: Parameters): string {
    const key = this.usableKey('a request with secret parameters cannot be recognised');
    const names = Object.keys(secrets).sort();
    return createHmac('sha256', key).update(`benchtop request secrets ${VERSION}\0`).update(JSON.stringify(names.map((n) => [n, secrets[n]]))).digest('hex');
  }

  /** The values `seal(runId, ...)` stored; SecretKeyError (naming the key's place) when any does not open. */
  open(runId: string, stored: string): Parameters {
    const sealed = JSON.parse(stored) as Record<string, unknown>;
    const names = Object.keys(sealed);
    if (names.length === 0) return {};
    const key = this.usableKey(`the secret parameters of run ${runId} cannot be read`);
    const out: Record<string, unknown> = {};
    for (const name of names) out[name] = this.openOne(key, runId, name, sealed[name]);
    const checked = parameters.safeParse(out);
    if (!checked.success) throw new SecretKeyError(`the secret parameters of run ${runId} decrypt to values that are not parameters`);
    return checked.data;
  }

  private openOne(key: Buffer, runId: string, name: string, value: unknown): unknown {
    const parts = typeof value === 'string' ? value.split(':') : [];
    const [version, keyId, iv, body, tag] = parts;
    if (parts.length !== 5 || version !== VERSION || !keyId || !iv || body === undefined || !tag) {
      throw new SecretKeyError(`secret parameter "${name}" of run ${runId} is not a sealed value this agent knows`);
    }
    if (keyId !== this.keyId) {
      throw new SecretKeyError(
        `secret parameter "${name}" of run ${runId} was sealed with secrets key ${keyId}, but ${this.key.place} holds key ${this.keyId}; put back the key this database was sealed with, or launch the run again with its secrets`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(runId, name));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      throw new SecretKeyError(`secret parameter "${name}" of run ${runId} fails authentication with the key in ${this.key.place}: it was changed, or copied from another run`);
    }
  }

  private usableKey(what: string): Buffer {
    if ('key' in this.key) return this.key.key;
    throw new SecretKeyError(`${what}: ${this.problem!}`, 'no-key');
  }
}

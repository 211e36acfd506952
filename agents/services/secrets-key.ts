import { randomBytes } from 'node:crypto';
import { chmod, link, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errorName } from '../../lib/aws/error-meaning.js';
import { PRIVATE_FILE_MODE } from './private-paths.js';
import type { RunsStore } from './runs-store.js';
import { SECRETS_KEY_BYTES, SecretBox, type SecretsKey } from './secret-box.js';

/** Beside the database, not in it nor in `backups/`: a database backup never holds the key. */
export function secretsKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets.key');
}

function decodeKey(text: string, place: string): SecretsKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== SECRETS_KEY_BYTES || key.toString('base64') !== text.trim()) {
    throw new Error(`${place} does not hold a ${SECRETS_KEY_BYTES}-byte key in base64`);
  }
  return { key, place };
}

const newKeyText = () => `${randomBytes(SECRETS_KEY_BYTES).toString('base64')}\n`;

/**
 * The sandbox's key: `<dataDir>/secrets.key` (0600), made on first start. Made atomically and never
 * overwritten: written to a temp file, fsynced, then hard-linked to its name, which fails if another
 * start made it first (that key is then read).
 */
export async function fileSecretsKey(dataDir: string): Promise<SecretsKey> {
  const file = secretsKeyFile(dataDir);
  const place = `the key file ${file}`;
  const read = async () => {
    const text = await readFile(file, 'utf8');
    await chmod(file, PRIVATE_FILE_MODE);
    return decodeKey(text, place);
  };
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(newKeyText());
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(tmp, { force: true });
  }
  return read();
}

/** The SSM parameter that holds the AWS deployment's key, beside its tokens ("/benchtop/<stack>/secrets-key"). */
export function secretsKeyParameter(ssmPrefix: string): string {
  return `${ssmPrefix.endsWith('/') ? ssmPrefix : `${ssmPrefix}/`}secrets-key`;
}

/**
 * On AWS the key is a SecureString under the stack's token key, made by the services agent on its
 * first start (Overwrite false: a parameter that already exists is read, never replaced). It is
 * not on the data volume, so neither the database backups (S3) nor volume snapshots hold it.
 */
export async function ssmSecretsKey(ssm: SSMClient, name: string, kmsKeyId: string): Promise<SecretsKey> {
  const place = `the SSM parameter ${name}`;
  const get = async (): Promise<SecretsKey | null> => {
    try {
      const answer = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      if (answer.Parameter?.Type !== 'SecureString') throw new Error(`${place} is a ${answer.Parameter?.Type ?? 'parameter of no type'}, not a SecureString; delete it and restart the services agent`);
      return decodeKey(answer.Parameter.Value ?? '', place);
    } catch (error) {
      const code = errorName(error);
      if (code === 'ParameterNotFound') return null;
      // A stack deleted outside Benchtop leaves the key behind, under a KMS key that went with it.
      if (code === 'InvalidKeyId' || code.startsWith('KMS')) {
        throw new Error(`${place} cannot be decrypted (${code}: ${error instanceof Error ? error.message : String(error)}); if it was left by an earlier stack of this name, delete it (aws ssm delete-parameter --name ${name}) and the agent makes a new one within a minute — runs sealed with the old key cannot be read again`, { cause: error });
      }
      throw error;
    }
  };
  const existing = await get();
  if (existing) return existing;
  try {
    await ssm.send(new PutParameterCommand({
      Name: name, Value: newKeyText().trim(), Type: 'SecureString', KeyId: kmsKeyId, Overwrite: false,
      Description: 'Benchtop: seals the secret parameters of runs in the services database; losing it makes them unreadable.',
    }));
  } catch (error) {
    if (errorName(error) !== 'ParameterAlreadyExists') throw error;
  }
  const made = await get();
  if (!made) throw new Error(`${place} was created but cannot be read back`);
  return made;
}

/** A box for the key `load` gives, or one that names the place and the problem when it gives none (the agent still serves runs without secrets). */
export async function loadSecretBox(place: string, load: () => Promise<SecretsKey>): Promise<SecretBox> {
  try {
    return new SecretBox(await load());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new SecretBox({ place, problem: reason });
  }
}

/**
 * While the key cannot be had (SSM refused or unreachable, a permission not yet in place), tries
 * again every `intervalMs`; once it can, the runs use it and plain rows are sealed. Answers stop().
 */
export function retrySecretsKey(
  runs: Pick<RunsStore, 'useSecretBox' | 'sealPlainSecrets'>,
  source: { place: string; load: () => Promise<SecretsKey> },
  intervalMs: number,
  log: (message: string) => void,
): () => void {
  let busy = false;
  let done = false;
  const attempt = async () => {
    const box = await loadSecretBox(source.place, source.load);
    if (box.problem || done) return;
    done = true;
    clearInterval(timer);
    runs.useSecretBox(box);
    log(`the secrets key (${box.place}) is usable now; runs with secret parameters work again`);
    const sealing = await runs.sealPlainSecrets();
    if (sealing.sealed > 0) log(`encrypted the secret parameters of ${sealing.sealed} runs with the key in ${box.place}`);
    if (sealing.problem) log(sealing.problem);
  };
  const timer = setInterval(() => {
    if (busy || done) return;
    busy = true;
    attempt()
      .catch((error: unknown) => log(`retrying the secrets key: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}

import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsOptions } from './aws-adapters.js';
import { fileSecretsKey, loadSecretBox, secretsKeyFile, secretsKeyParameter, ssmSecretsKey } from './secrets-key.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'benchtop-secrets-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const awsError = (name: string) => Object.assign(new Error(name), { name });

describe('the sandbox key file', () => {
  it('is made once, 0600, beside the database (not in backups/), and read back the same', async () => {
    const made = await fileSecretsKey(dir);
    expect(made.key).toHaveLength(32);
    expect(made.place).toBe(`the key file ${join(dir, 'secrets.key')}`);
    expect((await stat(secretsKeyFile(dir))).mode & 0o777).toBe(0o600);
    expect((await fileSecretsKey(dir)).key.equals(made.key)).toBe(true);
    expect(await readdir(dir)).toEqual(['secrets.key']);
  });

  it('two starts racing for the first key end with one key and no temp file left', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, () => fileSecretsKey(dir)));
    for (const k of keys) expect(k.key.equals(keys[0]!.key)).toBe(true);
    expect(await readdir(dir)).toEqual(['secrets.key']);
  });

  it('a damaged key file is never replaced: the box names the file and what is wrong with it', async () => {
    await writeFile(secretsKeyFile(dir), 'not a key\n', { mode: 0o644 });
    await expect(fileSecretsKey(dir)).rejects.toThrow(`the key file ${secretsKeyFile(dir)} does not hold a 32-byte key in base64`);
    const box = await loadSecretBox(`the key file ${secretsKeyFile(dir)}`, () => fileSecretsKey(dir));
    expect(box.problem).toMatch(/^the secrets key \(the key file .*secrets\.key\) is not usable: .*does not hold a 32-byte key/);
    expect(box.place).toBe(`the key file ${secretsKeyFile(dir)}`);
  });
});

describe('the AWS key: an SSM SecureString beside the tokens', () => {
  const name = '/benchtop/lab/secrets-key';
  const key = Buffer.alloc(32, 7).toString('base64');

  it('is created on first start under the stack key, never over an existing one, then read back decrypted', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).rejectsOnce(awsError('ParameterNotFound')).callsFake(() => ({ Parameter: { Name: name, Type: 'SecureString', Value: key } }));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const got = await ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'key-123');
    expect(got).toEqual({ key: Buffer.alloc(32, 7), place: `the SSM parameter ${name}` });
    const put = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Name: name, Type: 'SecureString', KeyId: 'key-123', Overwrite: false });
    expect(Buffer.from(put.Value!, 'base64')).toHaveLength(32);
    for (const call of ssm.commandCalls(GetParameterCommand)) expect(call.args[0].input).toEqual({ Name: name, WithDecryption: true });
    ssm.restore();
  });

  it('uses the key that exists (another start made it first: ParameterAlreadyExists)', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: name, Type: 'SecureString', Value: key } });
    expect((await ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'k')).key).toEqual(Buffer.alloc(32, 7));
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    ssm.reset();
    ssm.on(GetParameterCommand).rejectsOnce(awsError('ParameterNotFound')).resolves({ Parameter: { Name: name, Type: 'SecureString', Value: key } });
    ssm.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists'));
    expect((await ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'k')).key).toEqual(Buffer.alloc(32, 7));
    ssm.restore();
  });

  it('refuses a String parameter and reports what SSM said (no permission) in the box, naming the parameter', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: name, Type: 'String', Value: 'pending' } });
    await expect(ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'k')).rejects.toThrow(`the SSM parameter ${name} is a String, not a SecureString`);
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(awsError('AccessDeniedException'));
    const box = await loadSecretBox(`the SSM parameter ${name}`, () => ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'k'));
    expect(box.problem).toBe(`the secrets key (the SSM parameter ${name}) is not usable: AccessDeniedException`);
    ssm.restore();
  });

  it('says how to recover when the key was left by an earlier stack whose KMS key is gone', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).rejects(awsError('InvalidKeyId'));
    await expect(ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'k')).rejects.toThrow(`the SSM parameter ${name} cannot be decrypted (InvalidKeyId`);
    await expect(ssmSecretsKey(new SSMClient({ region: 'eu-west-1' }), name, 'k')).rejects.toThrow(`delete it (aws ssm delete-parameter --name ${name})`);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    ssm.restore();
  });

  it('is what the AWS adapters give the agent when the SSM prefix is set, and nothing otherwise', () => {
    expect(secretsKeyParameter('/benchtop/lab')).toBe(name);
    expect(secretsKeyParameter('/benchtop/lab/')).toBe(name);
    expect(awsOptions({ region: 'eu-west-1', ssmPrefix: '/benchtop/lab/', ssmKeyId: 'k' }, dir).options.secretsKey?.place).toBe(`the SSM parameter ${name}`);
    expect(awsOptions({ region: 'eu-west-1', bucket: 'b' }, dir).options.secretsKey).toBeUndefined();
  });
});

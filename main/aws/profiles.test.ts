import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAwsProfiles } from './profiles.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-aws-'));
  env = { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('listAwsProfiles', () => {
  it('lists profiles of both files with their region and how they sign in, default first', async () => {
    writeFileSync(
      env.AWS_CONFIG_FILE!,
      [
        '[default]',
        'region = eu-west-1',
        '[profile lab-sso]',
        'sso_session = lab',
        'sso_account_id = 123456789012',
        'sso_role_name = Admin',
        'region = us-east-1',
        '[sso-session lab]',
        'sso_start_url = https://lab.awsapps.com/start',
        'sso_region = us-east-1',
        '[profile legacy-sso]',
        'sso_start_url = https://old.awsapps.com/start',
        '[profile deployer]',
        'role_arn = arn:aws:iam::123456789012:role/deploy',
        'source_profile = default',
        '[profile vault]',
        'credential_process = /usr/bin/aws-vault export --format=json lab',
        '[profile bare]',
        'output = json',
        '[services local]',
        's3 =',
        '  endpoint_url = http://127.0.0.1:4566',
      ].join('\n'),
    );
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, ['[default]', 'aws_access_key_id = AKIAEXAMPLE', 'aws_secret_access_key = x', '[ci]', 'aws_access_key_id = AKIAOTHER', 'aws_secret_access_key = y'].join('\n'));

    const list = await listAwsProfiles(env);
    expect(list.configFile).toBe(env.AWS_CONFIG_FILE);
    expect(list.profiles).toEqual([
      { name: 'default', kind: 'static', region: 'eu-west-1' },
      { name: 'bare', kind: 'unknown' },
      { name: 'ci', kind: 'static' },
      { name: 'deployer', kind: 'role' },
      { name: 'lab-sso', kind: 'sso', region: 'us-east-1' },
      { name: 'legacy-sso', kind: 'sso' },
      { name: 'vault', kind: 'process' },
    ]);
    expect(JSON.stringify(list)).not.toContain('AKIA');
  });

  it('answers an empty list when the files do not exist', async () => {
    expect(await listAwsProfiles(env)).toEqual({ profiles: [], configFile: env.AWS_CONFIG_FILE });
  });

  it('sees a profile added while the app runs', async () => {
    writeFileSync(env.AWS_CONFIG_FILE!, '[profile one]\nregion = eu-west-1\n');
    expect((await listAwsProfiles(env)).profiles.map((p) => p.name)).toEqual(['one']);
    writeFileSync(env.AWS_CONFIG_FILE!, '[profile one]\nregion = eu-west-1\n[profile two]\nregion = eu-west-2\n');
    expect((await listAwsProfiles(env)).profiles.map((p) => p.name)).toEqual(['one', 'two']);
  });
});

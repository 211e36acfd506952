import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Router } from '../../common/api/router.js';
import { awsClientConfig } from './client-factory.js';
import { registerAws } from '../../main/aws/register-aws.js';

// These go through the real SDK credential chain and HTTP stack (no mock): what the user sees
// when an SSO sign-in has lapsed, a profile is missing, or the endpoint is down.
let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'benchtop-aws-home-'));
  mkdirSync(path.join(home, '.aws', 'sso', 'cache'), { recursive: true });
  vi.stubEnv('HOME', home);
  vi.stubEnv('AWS_CONFIG_FILE', path.join(home, '.aws', 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(home, '.aws', 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_PROFILE', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

async function identity(input: object) {
  const router = new Router();
  registerAws(router, { env: process.env });
  const result = await router.invoke('aws:get-identity', input, { transport: 'test' });
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('AWS clients made by the factory', () => {
  it('an expired SSO sign-in tells the user the exact login command', async () => {
    writeFileSync(
      path.join(home, '.aws', 'config'),
      ['[profile lab-sso]', 'sso_session = lab', 'sso_account_id = 123456789012', 'sso_role_name = Admin', 'region = eu-west-1', '[sso-session lab]', 'sso_start_url = https://lab.awsapps.com/start', 'sso_region = eu-west-1'].join('\n'),
    );
    const cacheFile = `${createHash('sha1').update('lab').digest('hex')}.json`;
    writeFileSync(
      path.join(home, '.aws', 'sso', 'cache', cacheFile),
      JSON.stringify({ startUrl: 'https://lab.awsapps.com/start', region: 'eu-west-1', accessToken: 'old', expiresAt: '2020-01-01T00:00:00Z' }),
    );
    const error = await identity({ profile: 'lab-sso', region: 'eu-west-1' });
    expect(error.code).toBe('unauthorized');
    expect(error.fix).toBe('Run `aws sso login --profile lab-sso` in a terminal, then try again.');
  });

  it('a profile that does not exist is named, with where we looked', async () => {
    writeFileSync(path.join(home, '.aws', 'config'), '[profile other]\nregion = eu-west-1\n');
    const error = await identity({ profile: 'ghost', region: 'eu-west-1' });
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('"ghost"');
    expect(error.message).toContain(path.join(home, '.aws', 'config'));
  });

  it('AWS_ENDPOINT_URL redirects every client, and a dead endpoint is reported as such', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    expect(awsClientConfig({ region: 'us-east-1' })).toMatchObject({ endpoint: 'http://127.0.0.1:9', forcePathStyle: true });
    const error = await identity({ region: 'us-east-1' });
    expect(error).toMatchObject({ code: 'unavailable', message: 'Cannot reach the AWS endpoint http://127.0.0.1:9 set by AWS_ENDPOINT_URL (ECONNREFUSED).' });
  });

  it('without AWS_ENDPOINT_URL, clients use the real AWS endpoints', () => {
    expect(awsClientConfig({ region: 'eu-west-1' }, {})).not.toHaveProperty('endpoint');
  });
});

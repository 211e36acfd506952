import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '../../common/api/router.js';
import { withAwsCallContext } from './client-factory.js';
import { mapAwsError } from './map-aws-error.js';
import { registerAws } from '../../main/aws/register-aws.js';

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

function serviceError(name: string, message: string, status: number, extra: object = {}): STSServiceException {
  return Object.assign(new STSServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, attempts: 1 } }), extra);
}

function credentialsError(message: string): Error {
  return Object.assign(new Error(message), { name: 'CredentialsProviderError' });
}

async function identityCall(input: object = { region: 'eu-west-1', profile: 'lab' }) {
  const router = new Router();
  registerAws(router, { env: {} });
  return router.invoke('aws:get-identity', input, { transport: 'test' });
}

async function failureOf(error: Error) {
  sts.on(GetCallerIdentityCommand).rejects(error);
  const result = await identityCall();
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('aws:get-identity', () => {
  it('answers account, ARN and user id from STS', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ana', UserId: 'AIDAEXAMPLE' });
    expect(await identityCall()).toEqual({ ok: true, value: { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ana', userId: 'AIDAEXAMPLE' } });
  });

  it('rejects a malformed region before calling AWS, naming the field', async () => {
    const result = await identityCall({ region: 'Ireland' });
    expect(result.ok === false && result.error.issues?.[0]?.path).toBe('region');
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('mapAwsError, through the router', () => {
  it('expired SSO session → run aws sso login', async () => {
    const error = await failureOf(credentialsError("Token is expired. To refresh this SSO session run 'aws sso login' with the corresponding profile."));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('SSO sign-in');
    expect(error.fix).toContain('`aws sso login');
  });

  it('no credentials at all', async () => {
    const error = await failureOf(credentialsError('Could not load credentials from any providers'));
    expect(error).toMatchObject({ code: 'unauthorized', message: 'No AWS credentials were found for the default AWS credentials.' });
    expect(error.fix).toContain('aws configure sso');
  });

  it('access denied names the action and the principal', async () => {
    const error = await failureOf(
      serviceError('AccessDenied', 'User: arn:aws:iam::123456789012:user/ana is not authorized to perform: sts:GetCallerIdentity on resource: *', 403),
    );
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('Access denied: arn:aws:iam::123456789012:user/ana may not perform sts:GetCallerIdentity.');
    expect(error.fix).toContain('allow sts:GetCallerIdentity');
  });

  it('throttling', async () => {
    const error = await failureOf(serviceError('Throttling', 'Rate exceeded', 400, { $metadata: { httpStatusCode: 400, attempts: 4 } }));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('throttling');
    expect(error.message).toContain('after 4 attempts');
  });

  it('expired temporary credentials', async () => {
    const error = await failureOf(serviceError('ExpiredToken', 'The security token included in the request is expired', 403));
    expect(error).toMatchObject({ code: 'unauthorized', message: 'The temporary AWS credentials of the default AWS credentials have expired.' });
  });

  it('a region not enabled for the account', async () => {
    const error = await failureOf(serviceError('RegionDisabledException', 'STS is not activated in this region for account:123456789012.', 403));
    expect(error.code).toBe('forbidden');
    expect(error.fix).toContain('AWS Regions');
  });

  it('rejected access keys', async () => {
    const error = await failureOf(serviceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toContain('InvalidClientTokenId');
  });

  it('any other AWS error keeps its message and name', async () => {
    const error = await failureOf(serviceError('InternalFailure', 'We encountered an internal error.', 500));
    expect(error).toEqual({ code: 'aws', message: 'We encountered an internal error. (InternalFailure, HTTP 500)' });
  });
});

describe('mapAwsError, with the call context the client factory attaches', () => {
  const context = { profile: 'lab-sso', region: 'eu-west-1', client: 'CloudFormationClient', command: 'CreateStackCommand' };

  it('names the profile in the SSO login command', () => {
    const error = withAwsCallContext(credentialsError('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'), context);
    expect(mapAwsError(error)?.fix).toBe('Run `aws sso login --profile lab-sso` in a terminal, then try again.');
  });

  it('derives the IAM action from the command when the message does not say it', () => {
    const error = withAwsCallContext(serviceError('AccessDenied', 'Access Denied', 403), context);
    expect(mapAwsError(error)?.message).toBe('Access denied: AWS profile "lab-sso" may not perform cloudformation:CreateStack.');
    const logs = withAwsCallContext(serviceError('AccessDeniedException', 'denied', 400), { ...context, client: 'CloudWatchLogsClient', command: 'StartLiveTailCommand' });
    expect(mapAwsError(logs)?.message).toContain('logs:StartLiveTail');
  });

  it('an unknown region: its endpoint does not resolve', () => {
    const error = withAwsCallContext(Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-westt-1.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'sts.eu-westt-1.amazonaws.com' }), { region: 'eu-westt-1' });
    expect(mapAwsError(error, {})).toMatchObject({ code: 'unavailable', message: 'No AWS endpoint answers for region "eu-westt-1" (sts.eu-westt-1.amazonaws.com does not resolve).' });
  });

  it('an unreachable endpoint, emulator or AWS', () => {
    const refused = withAwsCallContext(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }), { region: 'us-east-1' });
    expect(mapAwsError(refused, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toMatchObject({
      code: 'unavailable',
      message: 'Cannot reach the AWS endpoint http://127.0.0.1:4566 set by AWS_ENDPOINT_URL (ECONNREFUSED).',
    });
    const offline = withAwsCallContext(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT', hostname: 'sts.us-east-1.amazonaws.com' }), { region: 'us-east-1' });
    expect(mapAwsError(offline, {})?.fix).toContain('internet connection');
  });

  it('leaves errors that did not come from AWS to other mappers', () => {
    expect(mapAwsError(new Error('disk full'))).toBeUndefined();
    expect(mapAwsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(mapAwsError('a string')).toBeUndefined();
  });
});

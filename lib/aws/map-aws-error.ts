import type { ApiErrorShape } from '../../common/api/errors.js';
import { type AwsCallContext, awsCallContextOf } from './client-factory.js';
import { awsConfigPaths } from './config-paths.js';
import { type AwsLikeError } from './error-meaning.js';

const CREDENTIAL_PROVIDER_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const REJECTED_KEYS = new Set(['InvalidClientTokenId', 'UnrecognizedClientException', 'AuthFailure', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidSignatureException']);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedAccess']);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'PriorRequestNotComplete',
]);
const REGION_DISABLED = new Set(['RegionDisabledException', 'OptInRequired']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

// IAM action prefixes that differ from the lower-cased client name.
const IAM_PREFIX: Record<string, string> = { CloudWatchLogs: 'logs', ServiceQuotas: 'servicequotas', CostExplorer: 'ce' };

function actionOf(context: AwsCallContext | undefined, message: string): string | undefined {
  const fromMessage = /perform: ([A-Za-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1];
  if (fromMessage) return fromMessage;
  if (!context?.client || !context.command) return undefined;
  const service = context.client.replace(/Client$/, '');
  return `${IAM_PREFIX[service] ?? service.toLowerCase()}:${context.command.replace(/Command$/, '')}`;
}

/**
 * Turns an error of the AWS SDK (or of its credential providers) into one sentence the admin can
 * act on. Answers `undefined` for errors that did not come from AWS, so other mappers get them.
 */
export function mapAwsError(error: unknown, env: NodeJS.ProcessEnv = process.env): ApiErrorShape | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsLikeError;
  const context = awsCallContextOf(error);
  const name = e.name ?? e.Code ?? '';
  const message = e.message ?? '';
  const fromAws = context !== undefined || e.$metadata !== undefined || CREDENTIAL_PROVIDER_ERRORS.has(name);
  if (!fromAws) return undefined;

  const profile = context?.profile;
  const who = profile ? `AWS profile "${profile}"` : 'the default AWS credentials';
  const ssoLogin = profile ? `aws sso login --profile ${profile}` : 'aws sso login';
  const region = context?.region;
  const endpointOverride = env.AWS_ENDPOINT_URL?.trim() || undefined;

  if (
    (CREDENTIAL_PROVIDER_ERRORS.has(name) || name === 'UnauthorizedException') &&
    /sso/i.test(message) &&
    /expired|invalid|not found|refresh|sso login/i.test(message)
  ) {
    return {
      code: 'unauthorized',
      message: `The AWS SSO sign-in of ${who} has expired or was never made.`,
      fix: `Run \`${ssoLogin}\` in a terminal, then try again.`,
    };
  }

  if (CREDENTIAL_PROVIDER_ERRORS.has(name)) {
    const { configFile, credentialsFile } = awsConfigPaths(env);
    const named = /Profile \[?'?([^\]\s']+)'?\]? (?:was not found|could not be found)|using profile: \[([^\]]+)\]/.exec(message);
    const p = named?.[1] ?? named?.[2] ?? profile;
    if (p && !/multi-factor|mfa/i.test(message)) {
      return {
        code: 'unauthorized',
        message: `AWS profile "${p}" has no credentials Benchtop can use (looked in ${configFile} and ${credentialsFile}).`,
        fix: `Choose another profile, or set this one up with \`aws configure sso --profile ${p}\` or \`aws configure --profile ${p}\`.`,
      };
    }
    if (/multi-factor|mfa/i.test(message)) {
      return {
        code: 'unauthorized',
        message: `${capital(who)} needs an MFA code, and Benchtop cannot ask for one.`,
        fix: 'Use an SSO profile, or put MFA session credentials in a profile first (e.g. with `aws sts get-session-token`).',
      };
    }
    return {
      code: 'unauthorized',
      message: `No AWS credentials were found for ${who}.`,
      fix: 'Choose a profile from your AWS config, sign in with `aws configure sso`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    };
  }

  if (EXPIRED.has(name) || /security token included in the request is expired/i.test(message)) {
    return {
      code: 'unauthorized',
      message: `The temporary AWS credentials of ${who} have expired.`,
      fix: `Get fresh ones (for an SSO profile: \`${ssoLogin}\`; for session keys: request new ones), then try again.`,
    };
  }

  if (REGION_DISABLED.has(name) || /not (?:activated|enabled) in this region|region .{0,40}(?:is disabled|is not enabled)/i.test(message)) {
    return {
      code: 'forbidden',
      message: `Region ${region ?? '(unknown)'} is not enabled for this AWS account.`,
      fix: 'Enable it in the AWS console (Account → AWS Regions), or choose another region.',
    };
  }

  if (name === 'EndpointError' || /invalid region in client config/i.test(message)) {
    return {
      code: 'bad-input',
      message: `AWS has no endpoint for region "${region ?? '?'}".`,
      fix: 'Check the region code (for example eu-west-1).',
    };
  }

  if (REJECTED_KEYS.has(name)) {
    return {
      code: 'unauthorized',
      message: `AWS does not accept the credentials of ${who} (${name}).`,
      fix: `Check that the access key is still active in IAM and the secret is right${region ? `; if ${region} is an opt-in region, enable it for the account` : ''}.`,
    };
  }

  if (DENIED.has(name) || (e.$metadata?.httpStatusCode === 403 && /not authori[sz]ed/i.test(message))) {
    const action = actionOf(context, message);
    const principal = /User: (arn:\S+) is not authorized/.exec(message)?.[1];
    const explicit = /explicit deny/i.test(message) ? ' An explicit deny (perhaps an organisation SCP) blocks it.' : '';
    return {
      code: 'forbidden',
      message: `Access denied: ${principal ?? who} may not perform ${action ?? 'this action'}.${explicit}`,
      fix: `Ask your AWS administrator to allow ${action ?? 'it'} for ${principal ?? who}, or choose a profile that has it.`,
    };
  }

  if (THROTTLED.has(name) || e.$retryable?.throttling === true) {
    const attempts = e.$metadata?.attempts;
    const action = actionOf(context, message);
    return {
      code: 'unavailable',
      message: `AWS is throttling ${action ?? 'these'} requests (${name || 'throttled'})${attempts ? ` after ${attempts} attempts` : ''}.`,
      fix: 'Wait a minute and try again; if it keeps happening, another tool is calling the same API heavily.',
    };
  }

  const errno = e.code ?? name;
  if (UNREACHABLE.has(errno) || name === 'TimeoutError') {
    if (endpointOverride) {
      return {
        code: 'unavailable',
        message: `Cannot reach the AWS endpoint ${endpointOverride} set by AWS_ENDPOINT_URL (${errno}).`,
        fix: 'Start the emulator it points to, or unset AWS_ENDPOINT_URL to reach AWS itself.',
      };
    }
    if ((errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') && region && e.hostname?.includes(`.${region}.`)) {
      return {
        code: 'unavailable',
        message: `No AWS endpoint answers for region "${region}" (${e.hostname} does not resolve).`,
        fix: 'Check the region code (for example eu-west-1); if it is right, check your network and DNS.',
      };
    }
    return {
      code: 'unavailable',
      message: `Cannot reach AWS${e.hostname ? ` (${e.hostname})` : ''}: ${errno}.`,
      fix: 'Check your internet connection, VPN or proxy (HTTPS_PROXY), then try again.',
    };
  }

  const action = actionOf(context, message);
  const status = e.$metadata?.httpStatusCode;
  return {
    code: 'aws',
    message: `${action ? `${action} failed: ` : ''}${message || name}${name && !message.includes(name) ? ` (${name}${status ? `, HTTP ${status}` : ''})` : ''}`,
  };
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

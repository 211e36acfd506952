import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider, Pluggable } from '@smithy/types';

/** Where and as whom an AWS call is made. Credentials are never stored: a profile name only. */
export interface AwsTarget {
  region: string;
  /** A named profile from ~/.aws/config (static keys, SSO, role, process); absent = the default chain. */
  profile?: string;
}

export interface AwsClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts: number;
}

/** Attached to every error that leaves a client made here, so error messages can name the profile and the action. */
export interface AwsCallContext {
  profile?: string;
  region: string;
  /** e.g. "STSClient" */
  client?: string;
  /** e.g. "GetCallerIdentityCommand" */
  command?: string;
}

const CONTEXT = Symbol.for('benchtop.awsCallContext');

export function awsCallContextOf(error: unknown): AwsCallContext | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { [CONTEXT]?: AwsCallContext })[CONTEXT];
}

export function withAwsCallContext<E>(error: E, context: AwsCallContext): E {
  if (typeof error === 'object' && error !== null && !awsCallContextOf(error)) {
    Object.defineProperty(error, CONTEXT, { value: context, enumerable: false });
  }
  return error;
}

const credentialCache = new Map<string, AwsCredentialIdentityProvider>();

/**
 * With a profile, the SDK's chain reads that profile only (SSO, assumed role, credential_process,
 * static keys) and skips environment keys; without one, it takes AWS_ACCESS_KEY_ID/… from the
 * environment, then AWS_PROFILE or [default], then web identity and container/instance roles.
 * `ignoreCache` makes each (re)resolution read ~/.aws again, so an `aws sso login` or an edited
 * config is seen without restarting; resolved credentials stay memoised until they expire.
 */
function credentialsFor(profile: string | undefined): AwsCredentialIdentityProvider {
  const key = profile ?? '';
  let provider = credentialCache.get(key);
  if (!provider) {
    provider = fromNodeProviderChain({ ...(profile ? { profile } : {}), ignoreCache: true });
    credentialCache.set(key, provider);
  }
  return provider;
}

/**
 * Every AWS client in Benchtop is made here. `AWS_ENDPOINT_URL` (a local emulator, or AWS itself)
 * is the only switch between a real account and a test endpoint; path-style S3 addressing follows
 * it because emulators rarely serve virtual-hosted buckets.
 */
export function awsClientConfig(target: AwsTarget, env: NodeJS.ProcessEnv = process.env): AwsClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  return {
    region: target.region,
    credentials: credentialsFor(target.profile),
    maxAttempts: 4,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
}

interface MiddlewareClient {
  middlewareStack: { use(pluggable: Pluggable<object, object>): void };
}

/** Tags errors with the profile, region and command, at the outermost step so credential failures are caught too. */
function errorContextPlugin(target: AwsTarget): Pluggable<object, object> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (next, context) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            throw withAwsCallContext(error, {
              ...(target.profile ? { profile: target.profile } : {}),
              region: target.region,
              ...(context.clientName ? { client: context.clientName } : {}),
              ...(context.commandName ? { command: context.commandName } : {}),
            });
          }
        },
        { step: 'initialize', name: 'benchtopErrorContext', priority: 'high' },
      );
    },
  };
}

export function createAwsClient<C>(Client: new (config: AwsClientConfig) => C, target: AwsTarget, env: NodeJS.ProcessEnv = process.env): C {
  const client = new Client(awsClientConfig(target, env));
  (client as unknown as MiddlewareClient).middlewareStack.use(errorContextPlugin(target));
  return client;
}

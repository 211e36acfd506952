import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** Where and as whom an AWS call is made. Credentials are never stored: a profile name only. */
export interface AwsTarget {
  region: string;
  /** A named profile from ~/.aws/config (static keys, SSO, role); absent = the default chain. */
  profile?: string;
}

export interface AwsClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts: number;
}

const credentialCache = new Map<string, AwsCredentialIdentityProvider>();

function credentialsFor(profile: string | undefined): AwsCredentialIdentityProvider {
  const key = profile ?? '';
  let provider = credentialCache.get(key);
  if (!provider) {
    provider = fromNodeProviderChain(profile ? { profile } : {});
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

export function createAwsClient<C>(Client: new (config: AwsClientConfig) => C, target: AwsTarget): C {
  return new Client(awsClientConfig(target));
}

import path from 'node:path';
import { getHomeDir } from '@smithy/shared-ini-file-loader';

/** Where the AWS CLI (and so the SDK) keeps profiles and keys, honouring its two variables. */
export function awsConfigPaths(env: NodeJS.ProcessEnv = process.env): { configFile: string; credentialsFile: string } {
  const home = getHomeDir();
  return {
    configFile: env.AWS_CONFIG_FILE?.trim() || path.join(home, '.aws', 'config'),
    credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE?.trim() || path.join(home, '.aws', 'credentials'),
  };
}

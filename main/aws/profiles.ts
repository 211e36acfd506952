import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { awsConfigPaths } from '../../lib/aws/config-paths.js';
import type { AwsProfile, AwsProfileKind, AwsProfileList } from '../../common/api/aws.contract.js';

type Section = Record<string, string | undefined>;


// Sections of ~/.aws/config that are not profiles: `[sso-session x]` and `[services x]`.
const NOT_A_PROFILE = /^(?:sso-session|services)\./;

function kindOf(section: Section): AwsProfileKind {
  if (section.sso_session || section.sso_start_url) return 'sso';
  if (section.role_arn) return 'role';
  if (section.credential_process) return 'process';
  if (section.aws_access_key_id) return 'static';
  return 'unknown';
}

/**
 * The profiles the AWS CLI would offer, from both files (the same name in both is one profile).
 * Nothing secret is returned: names, regions and how each one signs in.
 */
export async function listAwsProfiles(env: NodeJS.ProcessEnv = process.env): Promise<AwsProfileList> {
  const { configFile, credentialsFile } = awsConfigPaths(env);
  const files = await loadSharedConfigFiles({ configFilepath: configFile, filepath: credentialsFile, ignoreCache: true });
  const merged = new Map<string, Section>();
  for (const source of [files.credentialsFile, files.configFile]) {
    for (const [name, section] of Object.entries(source)) {
      if (NOT_A_PROFILE.test(name)) continue;
      merged.set(name, { ...merged.get(name), ...section });
    }
  }
  const profiles: AwsProfile[] = [...merged.entries()]
    .map(([name, section]) => ({ name, kind: kindOf(section), ...(section.region ? { region: section.region } : {}) }))
    .sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
  return { profiles, configFile };
}

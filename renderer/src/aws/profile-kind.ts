import type { AwsProfileKind } from '../../../common/api/aws.contract.js';

export const PROFILE_KIND_LABEL: Record<AwsProfileKind, string> = {
  sso: 'IAM Identity Center (SSO)',
  static: 'Access keys',
  role: 'Assumed role',
  process: 'Credential process',
  unknown: 'Not recognised',
};

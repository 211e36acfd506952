import { z } from 'zod';
import { defineCall } from './contract.js';

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1` — the shape, not the list (the list grows). */
export const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'must be an AWS region code such as "eu-west-1"');

/** Profile names as the AWS CLI accepts them in `[profile NAME]`. */
export const awsProfileName = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9_.@+=,/-]+$/, 'may only contain letters, digits and _ . @ + = , / -');

/** How a profile gets its credentials: SSO, static keys, assumed role, or an external process. */
export const awsProfileKind = z.enum(['sso', 'static', 'role', 'process', 'unknown']);
export type AwsProfileKind = z.infer<typeof awsProfileKind>;

export const awsProfile = z.object({
  name: z.string(),
  region: z.string().optional(),
  kind: awsProfileKind,
});
export type AwsProfile = z.infer<typeof awsProfile>;

export const awsProfileList = z.object({
  profiles: z.array(awsProfile),
  /** The config file that was read (AWS_CONFIG_FILE or ~/.aws/config), to show the user where to look. */
  configFile: z.string(),
});
export type AwsProfileList = z.infer<typeof awsProfileList>;

export const listProfiles = defineCall('aws:list-profiles', {
  input: z.void().or(z.object({}).strict()),
  output: awsProfileList,
});

export const awsIdentity = z.object({
  account: z.string(),
  arn: z.string(),
  userId: z.string(),
});
export type AwsIdentity = z.infer<typeof awsIdentity>;

/** Who the chosen profile is, through STS GetCallerIdentity (needs no permission). */
export const getIdentity = defineCall('aws:get-identity', {
  input: z.object({ profile: awsProfileName.optional(), region: awsRegion }).strict(),
  output: awsIdentity,
});

import { z } from 'zod';
import { defineCall } from './contract.js';
import { awsProfileName, awsRegion } from './aws.contract.js';

export const theme = z.enum(['system', 'light', 'dark']);

export const preferences = z.object({
  theme: theme,
  defaultRegion: awsRegion.optional(),
  defaultProfile: awsProfileName.optional(),
  /** The renderer's route when the app was last closed, e.g. "/runs". */
  lastPage: z.string().max(200).regex(/^\//, 'must be a path starting with "/"').optional(),
});
export type Preferences = z.infer<typeof preferences>;

export const getPreferences = defineCall('settings:get-preferences', {
  input: z.void().or(z.object({}).strict()),
  output: preferences,
});

/** Merges the given fields into the stored preferences; `null` clears an optional field. Answers the whole. */
export const setPreferences = defineCall('settings:set-preferences', {
  input: z
    .object({
      theme: theme.optional(),
      defaultRegion: awsRegion.nullable().optional(),
      defaultProfile: awsProfileName.nullable().optional(),
      lastPage: z.string().max(200).regex(/^\//, 'must be a path starting with "/"').nullable().optional(),
    })
    .strict(),
  output: preferences,
});

/** CloudFormation's stack name rule: a letter first, then letters, digits and hyphens, 128 at most. */
export const stackName = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must start with a letter and contain only letters, digits and hyphens');

/** A deployment as settings.json keeps it: one stack, in one account and region. */
export const storedDeployment = z.object({
  name: stackName,
  region: awsRegion,
  profile: awsProfileName.optional(),
  /** Absent only in entries saved by older versions, until the app reads the account again with the profile. */
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
  createdAt: z.iso.datetime(),
  /** The stack status when last seen (e.g. "UPDATE_COMPLETE"); a hint, the stack itself is the truth. */
  lastKnownStatus: z.string().max(64).optional(),
  platformUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type StoredDeployment = z.infer<typeof storedDeployment>;

/** The same stack name may exist in two regions or two accounts: a deployment is keyed by all three. */
export function deploymentId(d: { accountId?: string | undefined; region: string; name: string }): string {
  return `${d.accountId ?? 'unknown-account'}/${d.region}/${d.name}`;
}

export const deploymentKey = z.string().min(1).max(200).regex(/^(\d{12}|unknown-account)\/[a-z0-9-]+\/[A-Za-z][A-Za-z0-9-]*$/, 'must be "<account>/<region>/<stack>"');

export const deployment = storedDeployment.extend({ id: deploymentKey });
export type Deployment = z.infer<typeof deployment>;

export const listDeployments = defineCall('settings:list-deployments', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ deployments: z.array(deployment) }),
});

/**
 * Adds or replaces the deployment with this account, region and name (an entry of the same region
 * and name saved without an account is the same one). `createdAt` may be left out: a new
 * deployment gets the current time, an existing one keeps its own.
 */
export const saveDeployment = defineCall('settings:save-deployment', {
  input: storedDeployment.extend({ createdAt: z.iso.datetime().optional() }).strict(),
  output: deployment,
});

export const removeDeployment = defineCall('settings:remove-deployment', {
  input: z.object({ id: deploymentKey }).strict(),
  output: z.object({ removed: z.boolean() }),
});

/** e.g. "platform-token:my-lab". Secrets are written and checked from the renderer, never read back. */
export const secretKey = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ : / -');

export const setSecret = defineCall('settings:set-secret', {
  input: z.object({ key: secretKey, value: z.string().min(1, 'must not be empty').max(65_536, 'must be at most 64 KiB') }).strict(),
  output: z.object({ key: z.string() }),
});

export const hasSecret = defineCall('settings:has-secret', {
  input: z.object({ key: secretKey }).strict(),
  output: z.object({ present: z.boolean() }),
});

export const deleteSecret = defineCall('settings:delete-secret', {
  input: z.object({ key: secretKey }).strict(),
  output: z.object({ deleted: z.boolean() }),
});

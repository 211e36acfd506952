import { z } from 'zod';
import { defineCall } from './contract.js';
import { deploymentKey } from './settings.contract.js';

/** `local`: the sandbox the app starts by itself; `remote`: a deployed stack added by URL and token. */
export const platformKind = z.enum(['local', 'remote']);

/** A short id made from the name: lowercase letters, digits and hyphens. */
export const platformId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must contain only lowercase letters, digits and hyphens');

export const platformUrl = z
  .string()
  .trim()
  .url('must be a URL such as "https://platform.example.org"')
  .refine((u) => /^https?:\/\//.test(u), 'must start with https:// (or http:// on this machine)')
  .refine((u) => !/^http:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(u), 'must use https:// unless it is on this machine (127.0.0.1)');

/** A platform as the renderer sees it: never its token, only whether one is kept. */
export const platformInfo = z.object({
  id: platformId,
  name: z.string(),
  url: z.string(),
  kind: platformKind,
  hasToken: z.boolean(),
  active: z.boolean(),
  /** Set when the app connected it by itself from a deployment it installed ("<account>/<region>/<stack>"). */
  deploymentId: z.string().optional(),
});
export type PlatformInfo = z.infer<typeof platformInfo>;

export const listPlatforms = defineCall('platforms:list', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ platforms: z.array(platformInfo), activeId: platformId.nullable() }),
});

/** Checks the URL and token against the platform (GET /me) before keeping anything. */
export const addPlatform = defineCall('platforms:add', {
  input: z
    .object({
      name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
      url: platformUrl,
      token: z.string().trim().min(8, 'must be the token your admin gave you (at least 8 characters)').max(512, 'must be at most 512 characters'),
      activate: z.boolean().default(true),
    })
    .strict(),
  output: platformInfo,
});

export const removePlatform = defineCall('platforms:remove', {
  input: z.object({ id: platformId }).strict(),
  output: z.object({ removed: z.boolean(), activeId: platformId.nullable() }),
});

export const setActivePlatform = defineCall('platforms:set-active', {
  input: z.object({ id: platformId }).strict(),
  output: platformInfo,
});

/** One agent process of the local sandbox, as the app's supervisor sees it. */
export const sandboxAgentStatus = z.object({
  /** "services", or the worker's id ("sandbox-w1"). */
  name: z.string(),
  /** `restarting`: it died on its own and is started again after a backoff. */
  state: z.enum(['starting', 'running', 'restarting', 'stopped']),
  /** How often it was started again since the app started the sandbox. */
  restarts: z.number().int().min(0),
  /** How the last process ended ("killed by SIGKILL", "exited with code 70") and when; null if none did. */
  lastExit: z.object({ how: z.string(), at: z.string() }).nullable(),
});
export type SandboxAgentStatus = z.infer<typeof sandboxAgentStatus>;

/** How the sandbox's workers run capsules (a container engine, or native environments) and why. */
export const sandboxRuntime = z.object({ name: z.enum(['docker', 'process']), reason: z.string() });

/** What the workers' environment caches hold (images or native environments), least recently used evicted beyond `maxBytes`. */
export const environmentCacheUsage = z.object({ entries: z.number().int().min(0), bytes: z.number().min(0), maxBytes: z.number().min(0) });

export const sandboxStatus = z.object({
  services: sandboxAgentStatus,
  workers: z.array(sandboxAgentStatus),
  runtime: sandboxRuntime.optional(),
  /** Summed over the workers; null until a worker has prepared an environment. */
  environmentCache: environmentCacheUsage.nullable().optional(),
});
export type SandboxStatus = z.infer<typeof sandboxStatus>;

/** One queue as the header badge shows it; `gpus`: the online workers' GPUs by model. */
export const queueSummary = z.object({
  queued: z.number(),
  running: z.number(),
  workersOnline: z.number(),
  gpus: z.array(z.object({ model: z.string(), count: z.number() })).default([]),
  /** The online workers by the agent version they announced (workers that announce none are left out). */
  workerVersions: z.array(z.object({ version: z.string(), count: z.number() })).default([]),
});
export type QueueSummary = z.infer<typeof queueSummary>;

/** The active platform and whether it answers, for the header badge. */
export const platformStatus = defineCall('platforms:status', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({
    platform: platformInfo.nullable(),
    state: z.enum(['connected', 'starting', 'unreachable', 'unauthorized', 'none']),
    message: z.string().optional(),
    version: z.string().optional(),
    user: z.object({ id: z.string(), name: z.string(), role: z.string() }).optional(),
    queues: z.object({ cpu: queueSummary, gpu: queueSummary }).optional(),
    /** The local sandbox's own processes, when the local sandbox is the active platform. */
    sandbox: sandboxStatus.optional(),
  }),
});
export type PlatformStatus = z.infer<typeof platformStatus.output>;

/** The app's last attempt at connecting a deployment's platform by itself (stack outputs + SSM). */
export const deploymentConnection = z.object({
  /** `waiting`: the stack or its services agent is not ready yet; `never`: not tried since the app started. */
  state: z.enum(['connected', 'waiting', 'failed', 'never']),
  at: z.string().optional(),
  platformId: platformId.optional(),
  message: z.string(),
  fix: z.string().optional(),
});
export type DeploymentConnection = z.infer<typeof deploymentConnection>;

export const deploymentPlatformStatus = z.object({ connection: deploymentConnection, platform: platformStatus.output.nullable() });
export type DeploymentPlatformStatus = z.infer<typeof deploymentPlatformStatus>;

/** The platform of one deployment, for the Deployment page: how the app connected it and whether it answers. */
export const getDeploymentPlatform = defineCall('platforms:deployment-status', {
  input: z.object({ deploymentId: deploymentKey }).strict(),
  output: deploymentPlatformStatus,
});

/** Reads the deployment's URL and admin token again (stack outputs, SSM) and makes its platform the active one. */
export const connectDeployment = defineCall('platforms:connect-deployment', {
  input: z.object({ deploymentId: deploymentKey }).strict(),
  output: deploymentPlatformStatus,
});

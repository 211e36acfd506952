import { z } from 'zod';
import { awsProfileName, awsRegion } from './aws.contract.js';
import { defineCall, defineEvent } from './contract.js';
import { planSummary } from '../deploy/plan-summary.js';

// The deploy engine as the renderer sees it (main/deploy/). Long operations (apply, delete,
// recovery) return once started; their progress comes from `deploy:watch-stack`, which can be
// opened at any time, so a reopened app re-attaches to a stack in progress.

/** `accountId`: the account the deployment was installed in; a call whose profile signs in elsewhere is refused. */
export const deployTarget = z.object({ region: awsRegion, profile: awsProfileName.optional(), accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional() });
const stackName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold only letters, digits and hyphens');
/** Template parameter names to values, as CloudFormation takes them (strings). */
export const templateParams = z.record(z.string().regex(/^[A-Za-z0-9]+$/, 'a parameter name is letters and digits only'), z.string().max(4096));

export const finding = z.object({ field: z.string(), severity: z.enum(['error', 'warning']), message: z.string() });
export type DeployFinding = z.infer<typeof finding>;

export const preflightReport = z.object({
  ok: z.boolean(),
  account: z.string().optional(),
  identity: z.string().optional(),
  existingStatus: z.string().optional(),
  gpuQuotaVcpus: z.number().optional(),
  findings: z.array(finding),
});

export const resourceChange = z.object({
  action: z.string(),
  logicalId: z.string(),
  resourceType: z.string(),
  physicalId: z.string().optional(),
  replacement: z.string().optional(),
  stateful: z.boolean(),
  destroysData: z.boolean(),
});

export const plan = z.object({
  stackName: z.string(),
  type: z.enum(['CREATE', 'UPDATE']),
  changeSetName: z.string().optional(),
  changeSetId: z.string().optional(),
  noChanges: z.boolean(),
  changes: z.array(resourceChange),
  dataRisks: z.array(resourceChange),
  diff: z.string(),
  /** The plan in words (common/deploy/plan-summary.ts); the raw diff stays one click away. */
  summary: planSummary.optional(),
});
export type DeployPlan = z.infer<typeof plan>;

export const stackEvent = z.object({
  id: z.string(),
  stackName: z.string(),
  nested: z.boolean(),
  logicalId: z.string(),
  resourceType: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  timestamp: z.string(),
  physicalId: z.string().optional(),
});
export type DeployStackEvent = z.infer<typeof stackEvent>;

export const recoveryAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delete-and-retry') }),
  z.object({ kind: z.literal('continue-rollback'), resourcesToSkip: z.array(z.string()) }),
  z.object({ kind: z.literal('delete-retaining'), retain: z.array(z.string()) }),
  z.object({ kind: z.literal('wait') }),
]);
export type DeployRecoveryAction = z.infer<typeof recoveryAction>;

/** What to upgrade so that the app, the stack and its agents run the same version. */
export const versionAdvice = z.object({ upgrade: z.enum(['app', 'stack', 'agents']), message: z.string() });

export const stackVersions = z.object({
  /** The stack's StackVersion output. */
  deployed: z.string().optional(),
  /** The stack version this app installs. */
  available: z.string(),
  updateAvailable: z.boolean(),
  /** The stack is newer than this app: plans are refused. */
  downgrade: z.boolean().default(false),
  /** The services agent's version, when its platform answers. */
  services: z.string().optional(),
  workers: z.array(z.object({ version: z.string(), count: z.number() })).default([]),
  advice: z.array(versionAdvice).default([]),
});

export const keptResource = z.object({ logicalId: z.string(), resourceType: z.string(), physicalId: z.string(), why: z.string() });
export const deletedResource = z.object({ logicalId: z.string(), resourceType: z.string(), physicalId: z.string(), detail: z.string().optional() });
/** What the last delete from this app removed and what it left in the account, each with why. */
export const deleteReport = z.object({ status: z.string(), ok: z.boolean(), deleted: z.array(deletedResource), kept: z.array(keptResource) });
export type DeployDeleteReport = z.infer<typeof deleteReport>;

export const stackStatus = z.object({
  stackName: z.string(),
  exists: z.boolean(),
  status: z.string(),
  message: z.string(),
  actions: z.array(recoveryAction),
  version: stackVersions,
  /** The account the profile signs in to, when STS answered. */
  accountId: z.string().optional(),
  /** The saved deployment this stack is ("<account>/<region>/<stack>"), when the app keeps one. */
  deploymentId: z.string().optional(),
  /** The stack is gone and the app no longer lists it (its platform is forgotten too). */
  forgotten: z.boolean().default(false),
  /** An apply, delete or recovery started from this app is still running (data cleanup after a delete included). */
  operationRunning: z.boolean().default(false),
  lastDelete: deleteReport.optional(),
  outputs: z.array(z.object({ key: z.string(), value: z.string(), description: z.string().optional() })),
  terminationProtection: z.boolean(),
  /** The last background operation's failure (apply, delete, recovery), when it could not even start. */
  lastError: z.string().optional(),
});
export type DeployStackStatus = z.infer<typeof stackStatus>;

const started = z.object({ started: z.literal(true), stackName: z.string() });

export const getTemplateInfo = defineCall('deploy:get-template', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({
    stackVersion: z.string(),
    defaults: z.record(z.string(), z.string()),
    allowed: z.record(z.string(), z.array(z.string())),
    descriptions: z.record(z.string(), z.string()),
  }),
});

export const runPreflight = defineCall('deploy:preflight', {
  input: z.object({ target: deployTarget, stackName, params: templateParams }).strict(),
  output: preflightReport,
});

/** Bootstrap (artifacts bucket, uploads) then a change set, described. Changes nothing in the platform stack. */
export const createPlan = defineCall('deploy:plan', {
  /** `updateImages`: move the instances to the latest machine images (replaces them); otherwise an update keeps the deployed ones. */
  input: z.object({ target: deployTarget, stackName, params: templateParams, updateImages: z.boolean().optional() }).strict(),
  output: plan,
});

/** Executes a planned change set; `confirmDataLoss` must equal the stack name when the plan destroys data. */
export const applyPlan = defineCall('deploy:apply', {
  input: z.object({ target: deployTarget, stackName, changeSetName: z.string().min(1), confirmDataLoss: z.string().optional() }).strict(),
  output: started,
});

export const getStatus = defineCall('deploy:status', {
  input: z.object({ target: deployTarget, stackName }).strict(),
  output: stackStatus,
});

export const listEvents = defineCall('deploy:list-events', {
  input: z.object({ target: deployTarget, stackName, limit: z.number().int().min(1).max(1000).optional() }).strict(),
  output: z.object({ events: z.array(stackEvent) }),
});

/** `confirm` is the stack name typed by the admin; data is kept unless `deleteData`. */
export const deleteStack = defineCall('deploy:delete', {
  input: z.object({ target: deployTarget, stackName, confirm: z.string(), deleteData: z.boolean().default(false), retain: z.array(z.string()).optional() }).strict(),
  output: started,
});

export const recoverStack = defineCall('deploy:recover', {
  input: z.object({ target: deployTarget, stackName, action: recoveryAction }).strict(),
  output: started,
});

export const listCertificates = defineCall('deploy:list-certificates', {
  input: z.object({ target: deployTarget }).strict(),
  output: z.object({ certificates: z.array(z.object({ arn: z.string(), domainName: z.string(), status: z.string(), inUse: z.boolean() })) }),
});

export const instanceTypeChoice = z.object({ parameter: z.string(), instanceType: z.string(), hourlyUsd: z.number().optional() });
export const listInstanceTypes = defineCall('deploy:list-instance-types-with-prices', {
  input: z.object({ target: deployTarget }).strict(),
  output: z.object({ types: z.array(instanceTypeChoice), pricesAsOf: z.string().optional() }),
});

export const costItem = z.object({ item: z.string(), detail: z.string(), monthlyUsd: z.number() });
export const estimateCost = defineCall('deploy:estimate-cost', {
  input: z.object({ region: awsRegion, params: templateParams }).strict(),
  output: z.object({ idle: z.array(costItem), totalMonthlyUsd: z.number(), pricesAsOf: z.string() }),
});

export const watchMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: stackEvent }),
  z.object({ type: z.literal('progress'), done: z.number(), total: z.number(), status: z.string() }),
  z.object({ type: z.literal('final'), status: z.string(), ok: z.boolean(), reason: z.string().optional() }),
]);
export type DeployWatchMessage = z.infer<typeof watchMessage>;

/** Events and progress of the stack's current operation until its final status (re-attaches when opened mid-way). */
export const watchStack = defineEvent('deploy:watch-stack', {
  input: z.object({ target: deployTarget, stackName }).strict(),
  payload: watchMessage,
});

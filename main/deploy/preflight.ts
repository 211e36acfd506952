import { errorText, isUnanswerable } from '../../lib/aws/error-meaning.js';
import type { DeployClients } from './deploy-clients.js';
import {
  checkCertificate,
  checkCredentials,
  checkDefaultEbsKey,
  checkGpuQuota,
  checkGpuSpotQuota,
  checkInstanceTypesOffered,
  checkNetworkInAccount,
  checkRegionEnabled,
  checkStackNameAvailable,
  deploymentZones,
  type ExistingStack,
  type PreflightInput,
} from './preflight-aws.js';
import { P } from '../../common/deploy/platform-parameters.js';
import { checkKnownParameters, checkParameters, type Finding } from '../../common/deploy/preflight-rules.js';

export interface PreflightReport {
  ok: boolean;
  account?: string;
  identity?: string;
  /** Set when the stack exists already: the deploy is then an upgrade. */
  existingStatus?: string;
  gpuQuotaVcpus?: number;
  findings: Finding[];
}

/**
 * Runs one AWS-backed check. An endpoint that cannot answer it (an emulator without that API, a
 * missing permission) leaves the check undone, which the admin is told about as a warning.
 */
async function attempt<T>(field: string, what: string, run: () => Promise<T>, fallback: T, findings: Finding[]): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const why = isUnanswerable(e) ? 'the endpoint does not support this call' : errorText(e);
    findings.push({ field, severity: 'warning', message: `${what} could not be checked (${why}): check it yourself before installing.` });
    return fallback;
  }
}

/** Every check, before anything is changed. Nothing here writes to the account. */
export async function runPreflight(c: DeployClients, input: PreflightInput): Promise<PreflightReport> {
  const findings = [...checkParameters(input.stackName, input.region, input.params, input.allowed), ...(input.declared ? checkKnownParameters(input.params, input.declared) : [])];
  const identity = await checkCredentials(c);
  findings.push(...identity.findings);
  if (!identity.account) return { ok: false, findings };

  const report: PreflightReport = { ok: false, account: identity.account, identity: identity.arn, findings };
  findings.push(...(await attempt('region', `Region ${input.region}`, () => checkRegionEnabled(c, input.region), [], findings)));
  const name = await attempt('stackName', `Stack name "${input.stackName}"`, () => checkStackNameAvailable(c, input.stackName), { findings: [] as Finding[] } as { existing?: ExistingStack; findings: Finding[] }, findings);
  findings.push(...name.findings);
  if (name.existing) report.existingStatus = name.existing.status;
  const zones = await attempt('region', 'The Availability Zones', () => deploymentZones(c, input.params), { zones: [] as string[], findings: [] as Finding[] }, findings);
  findings.push(...zones.findings);
  findings.push(...(await attempt(P.servicesInstanceType, 'Instance type availability', () => checkInstanceTypesOffered(c, input.params, zones.zones), [], findings)));
  const quota = await attempt(P.gpuWorkerMax, 'The GPU vCPU quota', () => checkGpuQuota(c, input.params), { findings: [] as Finding[] } as { quotaVcpus?: number; findings: Finding[] }, findings);
  findings.push(...quota.findings);
  if (quota.quotaVcpus !== undefined) report.gpuQuotaVcpus = quota.quotaVcpus;
  findings.push(...(await attempt(P.workerOnDemandPercent, 'The GPU Spot vCPU quota', () => checkGpuSpotQuota(c, input.params), [], findings)));
  findings.push(...(await attempt('ebsDefaultKey', "The account's default EBS encryption key", () => checkDefaultEbsKey(c), [], findings)));
  findings.push(...(await attempt(P.certificateArn, 'The certificate', () => checkCertificate(c, input.params), [], findings)));
  findings.push(...(await attempt(P.existingVpcId, 'The network', () => checkNetworkInAccount(c, input.params), [], findings)));
  report.ok = !findings.some((f) => f.severity === 'error');
  return report;
}

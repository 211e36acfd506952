import { applyPlan } from './apply.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';
import type { DeployClients } from './deploy-clients.js';
import { createPlan, type Plan } from './plan.js';
import { P, type TemplateParameters, usesExistingVpc } from '../../common/deploy/platform-parameters.js';
import { findStack, privateSubnetZone } from './preflight-aws.js';
import type { DeploySource } from './template-source.js';
import type { Timing } from './timing.js';
import { refuseDowngrade } from './upgrade.js';
import type { WatchMessage, WatchResult } from './watch-stack.js';

/** The app-provided parameters, only those the template declares (CloudFormation refuses others). */
export function withAppParameters(params: TemplateParameters, source: DeploySource, boot: BootstrapResult, zone?: string): TemplateParameters {
  const declared = new Set(Object.keys((source.platform.Parameters as object | undefined) ?? {}));
  const app: TemplateParameters = { [P.artifactsBucket]: boot.bucket, [P.agentBundleVersion]: source.stackVersion, [P.agentBundleSha256]: boot.bundleSha256 };
  if (zone && usesExistingVpc(params) && !params[P.privateSubnet1Zone]) app[P.privateSubnet1Zone] = zone;
  const out = { ...params };
  for (const [k, v] of Object.entries(app)) if (declared.has(k)) out[k] = v;
  return out;
}

/** bootstrap → plan: what `plan` shows and `deploy` applies. A stack newer than this app is refused first. */
export async function preparePlan(
  c: DeployClients,
  stackName: string,
  params: TemplateParameters,
  source: DeploySource,
  timing: Timing,
  onMessage?: (m: WatchMessage) => void,
  options: { updateImages?: boolean } = {},
): Promise<{ boot: BootstrapResult; plan: Plan }> {
  refuseDowngrade(stackName, (await findStack(c, stackName))?.stack, source.stackVersion);
  const boot = await bootstrap(c, stackName, source, timing, onMessage);
  const zone = usesExistingVpc(params) ? await privateSubnetZone(c, params) : undefined;
  const plan = await createPlan(
    c,
    { stackName, templateUrl: boot.templateUrl, template: source.platform, parameters: withAppParameters(params, source, boot, zone), role: 'platform', ...(options.updateImages ? { updateImages: true } : {}) },
    timing,
  );
  return { boot, plan };
}

export async function applyPlatformPlan(
  c: DeployClients,
  plan: Plan,
  confirmDataLoss: string | undefined,
  timing: Timing,
  onMessage?: (m: WatchMessage) => void,
  onWarning?: (m: string) => void,
): Promise<WatchResult> {
  return applyPlan(c, plan, { guardRails: true, confirmDataLoss, onMessage, onWarning }, timing);
}

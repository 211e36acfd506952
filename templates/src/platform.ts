import { stringifyCfnYaml } from './cfn-yaml.js';
import { loadTemplate, type TemplateName } from './load-template.js';
import { checkParameterValues, parameterSpecs, type ParameterCheck, type ParameterSpec, type ParameterValues } from './parameters.js';

/** TemplateBody's limit; a larger template must go by TemplateURL (the artifacts bucket). */
export const TEMPLATE_BODY_LIMIT_BYTES = 51_200;
/** TemplateURL's limit. */
export const TEMPLATE_URL_LIMIT_BYTES = 1_000_000;

/**
 * The metrics the services agent publishes (namespace `Benchtop/<stack>`), on which the
 * template's scaling policies and alarms depend.
 */
export const PLATFORM_METRICS = {
  namespace: (stackName: string) => `Benchtop/${stackName}`,
  queues: ['cpu', 'gpu'],
  metrics: [
    { name: 'QueueDepth', perQueue: true, unit: 'Count', source: 'services agent' },
    { name: 'RunningRuns', perQueue: true, unit: 'Count', source: 'services agent' },
    { name: 'WorkersOnline', perQueue: true, unit: 'Count', source: 'services agent' },
    { name: 'FailedRuns', perQueue: false, unit: 'Count', source: 'services agent' },
    { name: 'RunDuration', perQueue: false, unit: 'Seconds', source: 'services agent' },
    { name: 'DataDiskUsedPercent', perQueue: false, unit: 'Percent', source: 'CloudWatch agent' },
  ],
} as const;

export class ParameterError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ParameterError';
  }
}


/** The platform template's parameters with descriptions, defaults and constraints (Setup wizard). */
export function platformParameters(): ParameterSpec[] {
  return parameterSpecs(loadTemplate('platform'));
}

// Combinations a single parameter's constraint cannot express.
function crossParameterProblems(v: Record<string, string>): string[] {
  const problems: string[] = [];
  const existing = (v.ExistingVpcId ?? '') !== '';
  if (existing) {
    for (const name of ['ExistingPrivateSubnet1', 'ExistingPrivateSubnet2', 'ExistingPrivateSubnet1Zone']) {
      if (!v[name]) problems.push(`${name} is required with ExistingVpcId (the services instance and workers run in the private subnets).`);
    }
    if (v.LoadBalancerScheme === 'internet-facing') {
      for (const name of ['ExistingPublicSubnet1', 'ExistingPublicSubnet2']) {
        if (!v[name]) problems.push(`${name} is required with ExistingVpcId and an internet-facing load balancer.`);
      }
    }
    if (v.NatMode !== 'none') problems.push('NatMode must be "none" with ExistingVpcId: the stack does not add NAT to a VPC it does not own, so the VPC must already have egress.');
  } else if (v.NatMode === 'none') {
    problems.push('NatMode "none" needs ExistingVpcId: a new VPC without NAT leaves instances unable to reach AWS; choose "instance" or "gateway".');
  }
  return problems;
}

/** Checks values for the platform template; requireAll also demands the parameters without defaults. */
export function checkPlatformParameters(given: ParameterValues, options: { requireAll: boolean } = { requireAll: true }): ParameterCheck {
  const check = checkParameterValues(loadTemplate('platform'), given, options);
  return { values: check.values, problems: [...check.problems, ...crossParameterProblems(check.values)] };
}

export type TemplateFormat = 'yaml' | 'json';

export function renderTemplate(name: TemplateName, format: TemplateFormat): string {
  const t = loadTemplate(name);
  return format === 'json' ? `${JSON.stringify(t)}\n` : stringifyCfnYaml(t);
}

/**
 * The platform template as CloudFormation takes it, once the parameters are checked. The body
 * does not depend on the values (they go to CreateStack/CreateChangeSet as Parameters); checking
 * them here catches mistakes before any AWS call. Throws ParameterError listing every problem.
 */
export function renderPlatformTemplate(given: ParameterValues, options: { format?: TemplateFormat } = {}): string {
  const { problems } = checkPlatformParameters(given, { requireAll: true });
  if (problems.length > 0) throw new ParameterError(problems);
  return renderTemplate('platform', options.format ?? 'yaml');
}

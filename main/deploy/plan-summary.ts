import type { CfnObject, CfnValue } from '../../templates/src/cfn-yaml.js';
import { evaluateConditions, materialize } from '../../common/templates/conditions.js';
import { isObject, resourcesOf, sectionOf, walk } from '../../common/templates/intrinsics.js';
import { estimateMonthlyCost } from '../../templates/cost/estimate.js';
import {
  HIGHLIGHT_KINDS, type PlanArea, type PlanCost, planMetadata, type PlanSummary, type SummaryArea, type SummaryLine,
} from '../../common/deploy/plan-summary.js';
import type { ResourceChange } from './plan-diff.js';

// The plan in words. Which area a resource or parameter belongs to, what each area says will exist
// and what replacing a resource does to the lab all come from the template's Metadata
// (Benchtop.Plan); the change set says what changes. Nothing here names a resource of our template.

export interface SummaryInput {
  template: CfnObject;
  stackName: string;
  region: string;
  type: 'CREATE' | 'UPDATE';
  changes: ResourceChange[];
  /** Parameter values the plan deploys (given, kept or defaulted). */
  parameters: Record<string, string>;
  /** Parameter values deployed now (an update). */
  previous?: Record<string, string>;
  version: { from?: string; to: string };
  images: PlanSummary['images'];
}

/**
 * An Auto Scaling group with a rolling update replaces its instances when one of these changes.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html
 */
const ROLLING_UPDATE_TRIGGERS = ['LaunchConfigurationName', 'LaunchTemplate', 'MixedInstancesPolicy', 'VPCZoneIdentifier', 'PlacementGroup'];

export function planAreas(template: CfnObject): PlanArea[] {
  return planMetadata.parse(sectionOf(sectionOf(template, 'Metadata'), 'Benchtop').Plan);
}

/** Every declared parameter's value: given, else the template's default. */
export function effectiveParameters(template: CfnObject, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, decl] of Object.entries(sectionOf(template, 'Parameters'))) {
    const value = given[name] ?? (isObject(decl) && decl.Default !== undefined && decl.Default !== null ? String(decl.Default) : undefined);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function substitute(text: string, params: Record<string, string>, stackName: string): string {
  return text.replace(/\{([A-Za-z0-9:]+)\}/g, (whole, name: string) => (name === 'AWS::StackName' ? stackName : (params[name] ?? whole)));
}

function paramsMatch(want: Record<string, string> | undefined, params: Record<string, string>): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => params[k] === v);
}

/** What the area says will exist with these parameters. */
function exists(area: PlanArea, conditions: Map<string, boolean>, params: Record<string, string>, stackName: string): string[] {
  return area.Says.filter(
    (say) =>
      (say.If === undefined || conditions.get(say.If) === true) &&
      (say.Unless === undefined || conditions.get(say.Unless) === false) &&
      (say.IfParam === undefined || paramsMatch(say.IfParam, params)) &&
      (say.UnlessParam === undefined || !paramsMatch(say.UnlessParam, params)),
  ).map((say) => substitute(say.Text, params, stackName));
}

function shown(value: string | undefined): string {
  if (value === undefined || value === '') return '(empty)';
  return value.length > 40 ? `${value.slice(0, 12)}…` : value;
}

/** Resources whose instances come from this launch template's latest version (rolled when it changes). */
function launchTemplateUsers(template: CfnObject, launchTemplate: string): string[] {
  return resourcesOf(template)
    .filter((r) => {
      let uses = false;
      walk(r.properties as CfnValue, r.id, (v) => {
        if (isObject(v) && Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][0] === launchTemplate) uses = true;
      });
      return uses;
    })
    .map((r) => r.id);
}

interface Replacement {
  logicalId: string;
  /** "True", or "Conditional" (the change set cannot tell yet). */
  certainty: 'True' | 'Conditional';
  /** Why: a property of its own, or the launch template its instances come from. */
  cause?: string;
}

/** Resources the plan replaces, including instances rolled by a launch template or group change. */
function replacements(changes: ResourceChange[], deployed: CfnObject): Replacement[] {
  const out = new Map<string, Replacement>();
  const typeOf = (id: string) => resourcesOf(deployed).find((r) => r.id === id)?.type;
  for (const c of changes) {
    if (c.action !== 'Modify') continue;
    if (c.replacement === 'True' || c.replacement === 'Conditional') out.set(c.logicalId, { logicalId: c.logicalId, certainty: c.replacement });
    if (c.resourceType === 'AWS::AutoScaling::AutoScalingGroup' && c.properties?.some((p) => ROLLING_UPDATE_TRIGGERS.includes(p))) {
      out.set(c.logicalId, { logicalId: c.logicalId, certainty: 'True', cause: c.properties.filter((p) => ROLLING_UPDATE_TRIGGERS.includes(p)).join(', ') });
    }
    if (c.resourceType === 'AWS::EC2::LaunchTemplate') {
      for (const user of launchTemplateUsers(deployed, c.logicalId)) {
        const type = typeOf(user);
        if (type === 'AWS::AutoScaling::AutoScalingGroup' || type === 'AWS::EC2::Instance') out.set(user, { logicalId: user, certainty: 'True', cause: c.logicalId });
      }
    }
  }
  return [...out.values()];
}

function resourceLines(input: SummaryInput, area: PlanArea, deployed: CfnObject): SummaryLine[] {
  const mine = new Set(area.Resources);
  const lines: SummaryLine[] = [];
  const replaced = replacements(input.changes, deployed).filter((r) => mine.has(r.logicalId));
  const replacedIds = new Set(replaced.map((r) => r.logicalId));
  for (const r of replaced) {
    const note = area.Replacing?.[r.logicalId];
    const change = input.changes.find((c) => c.logicalId === r.logicalId);
    const because = r.cause ? ` (because ${r.cause} changes)` : '';
    const text = `${r.certainty === 'Conditional' ? 'May be replaced: ' : ''}${note?.Text ?? `${r.logicalId} is replaced.`}${because}`;
    const kind = change?.destroysData ? 'data-loss' : note?.InterruptsRuns ? 'interrupts' : 'replace';
    lines.push({ kind, text, resources: [r.logicalId] });
  }
  for (const c of input.changes) {
    if (!mine.has(c.logicalId) || replacedIds.has(c.logicalId)) continue;
    if (c.action === 'Add') lines.push({ kind: 'change', text: `Adds ${c.logicalId} (${c.resourceType}).`, resources: [c.logicalId] });
    else if (c.action === 'Remove') {
      const kept = c.stateful ? ' It holds data: CloudFormation keeps it (Retain) and it is no longer used.' : '';
      lines.push({ kind: c.destroysData ? 'data-loss' : 'change', text: `Removes ${c.logicalId} (${c.resourceType}).${kept}`, resources: [c.logicalId] });
    } else {
      const what = c.properties?.length ? ` (${c.properties.join(', ')})` : '';
      lines.push({ kind: 'change', text: `Changes ${c.logicalId}${what} in place.`, resources: [c.logicalId] });
    }
  }
  return lines;
}

function parameterLines(input: SummaryInput, area: PlanArea): SummaryLine[] {
  if (!input.previous) return [];
  const images = new Set(input.images.changes.map((c) => c.parameter));
  return area.Parameters.filter((p) => (input.previous![p] ?? '') !== (input.parameters[p] ?? '')).map((p) => ({
    kind: images.has(p) ? ('image' as const) : ('change' as const),
    text: `${p}: ${shown(input.previous![p])} → ${shown(input.parameters[p])}${images.has(p) ? ' (new machine image)' : ''}.`,
    resources: [],
  }));
}


/** Idle and per worker-hour cost before and after; unknown (with the reason) for an unpriced region. */
export function planCost(input: SummaryInput): PlanCost {
  try {
    const declared = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([k]) => k in sectionOf(input.template, 'Parameters')));
    const after = estimateMonthlyCost(declared(input.parameters), input.region);
    // The deployed values may break a constraint this template added: then there is no "before".
    const before = input.previous ? tryEstimate(declared(input.previous), input.region) : undefined;
    return {
      known: true,
      region: input.region,
      pricesAsOf: after.pricesAsOf,
      idleMonthlyUsd: { ...(before ? { before: before.idle.totalMonthlyUsd } : {}), after: after.idle.totalMonthlyUsd },
      cpuWorkerHourUsd: { ...(before ? { before: before.perWorkerHour.cpu.hourlyUsd } : {}), after: after.perWorkerHour.cpu.hourlyUsd, instanceType: after.perWorkerHour.cpu.instanceType },
      gpuWorkerHourUsd: {
        ...(before ? { before: before.perWorkerHour.gpu.hourlyUsd } : {}),
        after: after.perWorkerHour.gpu.hourlyUsd,
        instanceType: after.perWorkerHour.gpu.instanceType,
        enabled: after.perWorkerHour.gpu.enabled,
      },
    };
  } catch (e) {
    return { known: false, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

function tryEstimate(params: Record<string, string>, region: string): ReturnType<typeof estimateMonthlyCost> | undefined {
  try {
    return estimateMonthlyCost(params, region);
  } catch {
    return undefined;
  }
}

export function summarizePlan(input: SummaryInput): PlanSummary {
  const areas = planAreas(input.template);
  const scenario = { parameters: input.parameters, region: input.region };
  const conditions = evaluateConditions(input.template, scenario);
  const deployed = materialize(input.template, scenario);
  const upgrade = input.type === 'UPDATE';
  const summaryAreas: SummaryArea[] = areas.map((area) => ({
    area: area.Area,
    title: area.Title,
    exists: exists(area, conditions, input.parameters, input.stackName),
    changes: upgrade ? [...parameterLines(input, area), ...resourceLines(input, area, deployed)] : [],
  }));
  const order = (kind: SummaryLine['kind']) => HIGHLIGHT_KINDS.indexOf(kind);
  const highlights = summaryAreas
    .flatMap((a) => a.changes)
    .filter((l) => HIGHLIGHT_KINDS.includes(l.kind))
    .sort((a, b) => order(a.kind) - order(b.kind));
  return {
    kind: upgrade ? 'upgrade' : 'install',
    stackName: input.stackName,
    region: input.region,
    version: input.version,
    resourceChanges: input.changes.length,
    areas: summaryAreas,
    highlights,
    images: input.images,
    cost: planCost(input),
  };
}

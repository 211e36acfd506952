import type { Parameter } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CfnObject } from '../../templates/src/cfn-yaml.js';
import { isObject, sectionOf } from '../../common/templates/intrinsics.js';
import type { PlanSummary } from '../../common/deploy/plan-summary.js';
import { P } from '../../common/deploy/platform-parameters.js';
import { DeployError } from './deploy-error.js';

// Machine images are chosen when a plan is made, not by CloudFormation on every update: the
// template takes image ids, and the public SSM parameters they come from are in its Metadata
// (Benchtop.Images). An update keeps the deployed ids unless the admin asks for new images, so
// an unrelated change (an alarm address) never replaces an instance because Amazon Linux moved on.

const AMI = /^ami-[0-9a-f]{8,17}$/;

export interface ResolvedImages {
  /** Image parameter → id, to pass to the change set. */
  values: Record<string, string>;
  summary: PlanSummary['images'];
}

/** Image parameter → the SSM parameter path it is resolved from. */
export function imageSources(template: CfnObject): Record<string, string> {
  const images = sectionOf(sectionOf(template, 'Metadata'), 'Benchtop').Images;
  const declared = sectionOf(template, 'Parameters');
  if (!isObject(images)) return {};
  return Object.fromEntries(Object.entries(images).filter(([name, path]) => name in declared && typeof path === 'string').map(([name, path]) => [name, String(path)]));
}

/** The id a deployed stack uses for a parameter: its value, or what an SSM-typed parameter resolved to. */
function deployedImage(previous: Parameter[] | undefined, name: string): string | undefined {
  const p = previous?.find((x) => x.ParameterKey === name);
  if (p?.ParameterValue && AMI.test(p.ParameterValue)) return p.ParameterValue;
  if (p?.ResolvedValue && AMI.test(p.ResolvedValue)) return p.ResolvedValue;
  return undefined;
}

async function lookUp(ssm: SSMClient, path: string): Promise<string | undefined> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: path }))).Parameter?.Value;
    return value && AMI.test(value) ? value : undefined;
  } catch (e) {
    if ((e as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw e;
  }
}

export interface ImageOptions {
  /** The deployed stack's parameters (an update). */
  previous?: Parameter[];
  /** Resolve the latest images even where the stack has some (replaces the instances). */
  update: boolean;
  /** Parameter values of the plan, to know whether GPU workers exist. */
  parameters: Record<string, string>;
}

export async function resolveImages(ssm: SSMClient, template: CfnObject, options: ImageOptions): Promise<ResolvedImages> {
  const sources = imageSources(template);
  const values: Record<string, string> = {};
  const changes: PlanSummary['images']['changes'] = [];
  const cache = new Map<string, Promise<string | undefined>>();
  let resolved = false;
  const missing: string[] = [];
  for (const [name, path] of Object.entries(sources)) {
    const deployed = deployedImage(options.previous, name);
    const given = options.parameters[name];
    if (given && AMI.test(given)) {
      values[name] = given;
      if (given !== deployed) changes.push({ parameter: name, ...(deployed ? { from: deployed } : {}), to: given, source: 'the parameters given' });
      continue;
    }
    if (deployed && !options.update) {
      values[name] = deployed;
      continue;
    }
    if (!cache.has(path)) cache.set(path, lookUp(ssm, path));
    const latest = await cache.get(path)!;
    resolved = true;
    if (!latest) {
      missing.push(name);
      continue;
    }
    values[name] = latest;
    if (latest !== deployed) changes.push({ parameter: name, ...(deployed ? { from: deployed } : {}), to: latest, source: path });
  }
  // A region without the GPU image can still run a lab without GPU workers: the parameter needs
  // some valid id, and no launch template uses it.
  const gpuOff = Number(options.parameters[P.gpuWorkerMax] ?? 0) === 0;
  for (const name of missing) {
    const standIn = Object.entries(values).find(([other]) => other !== name)?.[1];
    if (name === 'GpuWorkerImageId' && gpuOff && standIn) {
      values[name] = standIn;
      continue;
    }
    throw new DeployError(
      `No machine image for ${name}: the public SSM parameter ${sources[name]} does not exist in this region or holds no image id.`,
      name === 'GpuWorkerImageId' ? `Set ${P.gpuWorkerMax} to 0, or pick a region with the AWS Deep Learning Base AMI.` : 'Pick another region, or pass the image id yourself in the parameters file.',
    );
  }
  return { values, summary: { resolved, changes } };
}

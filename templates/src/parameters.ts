import { z } from 'zod';
import type { CfnObject, CfnValue } from './cfn-yaml.js';
import { isObject, sectionOf } from '../../common/templates/intrinsics.js';

/** What a parameters file holds: template parameter names to values. */
export const ParameterValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type ParameterValues = z.infer<typeof ParameterValuesSchema>;

/** One parameter as the Setup wizard shows it. */
export const ParameterSpecSchema = z.object({
  name: z.string(),
  type: z.string(),
  description: z.string(),
  group: z.string().optional(),
  default: z.string().optional(),
  allowedValues: z.array(z.string()).optional(),
  allowedPattern: z.string().optional(),
  constraintDescription: z.string().optional(),
  minValue: z.number().optional(),
  maxValue: z.number().optional(),
  minLength: z.number().optional(),
  maxLength: z.number().optional(),
});
export type ParameterSpec = z.infer<typeof ParameterSpecSchema>;

function groupsOf(template: CfnObject): Map<string, string> {
  const groups = new Map<string, string>();
  const ui = sectionOf(sectionOf(template, 'Metadata'), 'AWS::CloudFormation::Interface');
  for (const group of Array.isArray(ui.ParameterGroups) ? ui.ParameterGroups : []) {
    if (!isObject(group) || !isObject(group.Label) || !Array.isArray(group.Parameters)) continue;
    for (const name of group.Parameters) groups.set(String(name), String(group.Label.default));
  }
  return groups;
}

const str = (v: CfnValue | undefined) => (v === undefined || v === null ? undefined : String(v));
const num = (v: CfnValue | undefined) => (v === undefined || v === null ? undefined : Number(v));

/** The template's parameters, in template order, with their constraints. */
export function parameterSpecs(template: CfnObject): ParameterSpec[] {
  const groups = groupsOf(template);
  return Object.entries(sectionOf(template, 'Parameters')).map(([name, raw]) => {
    const p = isObject(raw) ? raw : {};
    return ParameterSpecSchema.parse({
      name,
      type: String(p.Type),
      description: String(p.Description ?? ''),
      group: groups.get(name),
      default: str(p.Default),
      allowedValues: Array.isArray(p.AllowedValues) ? p.AllowedValues.map(String) : undefined,
      allowedPattern: str(p.AllowedPattern),
      constraintDescription: str(p.ConstraintDescription),
      minValue: num(p.MinValue),
      maxValue: num(p.MaxValue),
      minLength: num(p.MinLength),
      maxLength: num(p.MaxLength),
    });
  });
}

/** Why a value breaks its parameter's constraints, or undefined when it satisfies them. */
export function constraintViolation(spec: ParameterSpec, value: string): string | undefined {
  const hint = spec.constraintDescription ? ` It ${spec.constraintDescription}` : '';
  if (spec.type === 'Number') {
    if (value.trim() === '' || !Number.isFinite(Number(value))) return `${spec.name} must be a number, not "${value}".`;
    const n = Number(value);
    if (spec.minValue !== undefined && n < spec.minValue) return `${spec.name} must be at least ${spec.minValue} (got ${value}).`;
    if (spec.maxValue !== undefined && n > spec.maxValue) return `${spec.name} must be at most ${spec.maxValue} (got ${value}).`;
  }
  if (spec.type.startsWith('AWS::SSM::Parameter::Value<') && !/^\/[\w./-]+$/.test(value)) {
    return `${spec.name} must be the path of an SSM parameter such as ${spec.default ?? '/aws/service/...'} (got "${value}").`;
  }
  if (spec.type === 'AWS::EC2::Image::Id' && !/^ami-[0-9a-f]{8,17}$/.test(value)) {
    return `${spec.name} must be an image id such as ami-0123456789abcdef0 (got "${value}"); benchtop plan and deploy resolve it for you.`;
  }
  if (spec.allowedValues && !spec.allowedValues.includes(value)) {
    return `${spec.name} must be one of ${spec.allowedValues.join(', ')} (got "${value}").`;
  }
  if (spec.allowedPattern !== undefined && !new RegExp(`^(?:${spec.allowedPattern.replace(/^\^|\$$/g, '')})$`).test(value)) {
    return `${spec.name} "${value}" does not match ${spec.allowedPattern}.${hint}`;
  }
  if (spec.minLength !== undefined && value.length < spec.minLength) return `${spec.name} must be at least ${spec.minLength} characters.`;
  if (spec.maxLength !== undefined && value.length > spec.maxLength) return `${spec.name} must be at most ${spec.maxLength} characters.`;
  return undefined;
}

export interface ParameterCheck {
  /** Every parameter with its effective value (given, else default). Missing required ones are absent. */
  values: Record<string, string>;
  problems: string[];
}

/**
 * Checks values against the template's parameters: unknown names, constraints, and (with
 * requireAll) parameters without a default that were not given.
 */
export function checkParameterValues(template: CfnObject, given: ParameterValues, options: { requireAll: boolean }): ParameterCheck {
  const specs = parameterSpecs(template);
  const known = new Set(specs.map((s) => s.name));
  const problems: string[] = [];
  const unknown = Object.keys(given).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    problems.push(`Unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the template's parameters are ${[...known].join(', ')}.`);
  }
  const values: Record<string, string> = {};
  for (const spec of specs) {
    const raw = given[spec.name];
    const value = raw === undefined ? spec.default : String(raw);
    if (value === undefined) {
      if (options.requireAll) problems.push(`${spec.name} is required: ${spec.description}`);
      continue;
    }
    const violation = constraintViolation(spec, value);
    if (violation) problems.push(violation);
    values[spec.name] = value;
  }
  return { values, problems };
}

export function toCloudFormationParameters(values: Record<string, string>): Array<{ ParameterKey: string; ParameterValue: string }> {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
}

import type { CfnObject, CfnValue } from './cfn-value.js';

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region',
  'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
]);

export function isObject(value: CfnValue | undefined): value is CfnObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The intrinsic function name when the value is one (`Ref`, `Fn::Sub`, `Condition`), else undefined. */
export function intrinsicName(value: CfnValue | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

export function isNoValue(value: CfnValue | undefined): boolean {
  return isObject(value) && value.Ref === 'AWS::NoValue' && Object.keys(value).length === 1;
}

/** The `${Name}` and `${Resource.Attribute}` placeholders of an Fn::Sub string (not `${!Literal}`). */
export function subPlaceholders(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!.trim());
}

export type Visitor = (value: CfnValue, path: string) => void;

/** Calls visit on every node, depth first, with a readable path for messages. */
export function walk(value: CfnValue, path: string, visit: Visitor): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, visit);
}

export function sectionOf(template: CfnObject, name: string): CfnObject {
  const section = template[name];
  return isObject(section) ? section : {};
}

export interface ResourceEntry {
  id: string;
  type: string;
  resource: CfnObject;
  properties: CfnObject;
}

export function resourcesOf(template: CfnObject, type?: string): ResourceEntry[] {
  return Object.entries(sectionOf(template, 'Resources'))
    .filter((entry): entry is [string, CfnObject] => isObject(entry[1]))
    .map(([id, resource]) => ({
      id,
      type: String(resource.Type),
      resource,
      properties: isObject(resource.Properties) ? resource.Properties : {},
    }))
    .filter((r) => type === undefined || r.type === type);
}

/**
 * The literal values a property can take: both branches of an Fn::If, never AWS::NoValue. Other
 * intrinsics are returned as they are, for the caller to judge.
 */
export function possibleValues(value: CfnValue | undefined): CfnValue[] {
  if (value === undefined || isNoValue(value)) return [];
  if (intrinsicName(value) === 'Fn::If' && isObject(value)) {
    const args = value['Fn::If'];
    if (Array.isArray(args) && args.length === 3) return [...possibleValues(args[1]), ...possibleValues(args[2])];
  }
  return [value];
}

/** Follows a path of keys/indexes through possibleValues at each step. */
export function valuesAt(value: CfnValue | undefined, path: Array<string | number>): CfnValue[] {
  let current = possibleValues(value);
  for (const step of path) {
    current = current.flatMap((v) => {
      if (typeof step === 'number') return Array.isArray(v) ? possibleValues(v[step]) : [];
      return isObject(v) && intrinsicName(v) === undefined ? possibleValues(v[step]) : [];
    });
  }
  return current;
}

/** Elements of a list-valued property (through Fn::If branches). */
export function listItems(value: CfnValue | undefined): CfnValue[] {
  return possibleValues(value).flatMap((v) => (Array.isArray(v) ? v.flatMap((x) => possibleValues(x)) : [v]));
}

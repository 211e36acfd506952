import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { CfnObject, CfnValue } from '../src/cfn-yaml.js';
import { intrinsicName, isNoValue, isObject, resourcesOf, walk } from '../../common/templates/intrinsics.js';

// Checks a template against the AWS resource specification shipped by @aws-cdk/aws-service-spec:
// resource types, property names (also inside nested property types), required properties and
// Fn::GetAtt attributes.

type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;
interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}
interface SpecProperty {
  required?: boolean;
  type: SpecType;
}
type SpecType =
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] }
  | { type: string };

let specPromise: Promise<SpecDatabase> | undefined;

/** Loads the specification once per process (it takes about a second). */
export function loadSpec(): Promise<SpecDatabase> {
  specPromise ??= loadAwsServiceSpec();
  return specPromise;
}

function findResource(db: SpecDatabase, type: string): SpecResource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0] as SpecResource | undefined;
}

function propertiesOfRef(db: SpecDatabase, type: SpecType): Record<string, SpecProperty> | undefined {
  if (type.type !== 'ref' || !('reference' in type)) return undefined;
  const def = db.get('typeDefinition', type.reference.$ref) as unknown as { properties: Record<string, SpecProperty> };
  return def.properties;
}

function checkObject(db: SpecDatabase, value: CfnObject, props: Record<string, SpecProperty>, path: string): string[] {
  const problems: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    if (prop.required && !(name in value)) problems.push(`${path}: required property ${name} is missing.`);
  }
  for (const [name, v] of Object.entries(value)) {
    const prop = props[name];
    if (!prop) {
      problems.push(`${path}: ${name} is not a property (known: ${Object.keys(props).sort().join(', ')}).`);
      continue;
    }
    problems.push(...checkValue(db, v, prop.type, `${path}.${name}`));
  }
  return problems;
}

function checkValue(db: SpecDatabase, value: CfnValue, type: SpecType, path: string): string[] {
  if (isNoValue(value)) return [];
  const fn = intrinsicName(value);
  if (fn === 'Fn::If' && isObject(value) && Array.isArray(value[fn])) {
    const [, a, b] = value[fn] as CfnValue[];
    return [...checkValue(db, a ?? null, type, `${path}(if)`), ...checkValue(db, b ?? null, type, `${path}(else)`)];
  }
  if (fn) return [];
  if ((type.type === 'array' || type.type === 'map') && 'element' in type) {
    if (type.type === 'array' && Array.isArray(value)) return value.flatMap((v, i) => checkValue(db, v, type.element, `${path}[${i}]`));
    if (type.type === 'map' && isObject(value)) return Object.entries(value).flatMap(([k, v]) => checkValue(db, v, type.element, `${path}.${k}`));
    return [];
  }
  if (type.type === 'union' && 'types' in type) {
    const attempts = type.types.map((t) => checkValue(db, value, t, path));
    return attempts.some((a) => a.length === 0) ? [] : (attempts[0] ?? []);
  }
  const props = propertiesOfRef(db, type);
  if (props && isObject(value)) return checkObject(db, value, props, path);
  return [];
}

export function checkAgainstSpec(db: SpecDatabase, template: CfnObject): string[] {
  const problems: string[] = [];
  const specs = new Map<string, SpecResource>();
  for (const { id, type, resource } of resourcesOf(template)) {
    const spec = findResource(db, type);
    if (!spec) {
      problems.push(`Resources.${id}: ${type} is not a CloudFormation resource type.`);
      continue;
    }
    specs.set(id, spec);
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    problems.push(...checkObject(db, properties, spec.properties, `Resources.${id}.Properties`));
  }
  walk(template, 'Template', (value, path) => {
    if (intrinsicName(value) !== 'Fn::GetAtt' || !isObject(value)) return;
    const [target, attribute] = value['Fn::GetAtt'] as [string, CfnValue];
    const spec = specs.get(target);
    if (spec && typeof attribute === 'string' && !(attribute in spec.attributes)) {
      problems.push(`${path}: ${spec.cloudFormationType} has no attribute ${attribute} (known: ${Object.keys(spec.attributes).sort().join(', ')}).`);
    }
  });
  walk(template, 'Template', (value, path) => {
    if (intrinsicName(value) !== 'Fn::Sub' || !isObject(value)) return;
    const args = value['Fn::Sub']!;
    const text = typeof args === 'string' ? args : Array.isArray(args) && typeof args[0] === 'string' ? args[0] : '';
    for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g)) {
      const spec = specs.get(m[1]!);
      if (spec && !(m[2]! in spec.attributes)) problems.push(`${path}: ${spec.cloudFormationType} has no attribute ${m[2]} (in Fn::Sub).`);
    }
  });
  return problems;
}

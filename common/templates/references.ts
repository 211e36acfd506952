import type { CfnObject, CfnValue } from './cfn-value.js';
import { intrinsicName, isObject, PSEUDO_PARAMETERS, sectionOf, subPlaceholders, walk } from './intrinsics.js';

// Checks that every name a template uses is defined: Ref, Fn::Sub placeholders, Fn::GetAtt
// targets, DependsOn, conditions (and that every defined condition is used), mappings.

function subParts(args: CfnValue): { text: string; locals: Set<string> } | undefined {
  if (typeof args === 'string') return { text: args, locals: new Set() };
  if (Array.isArray(args) && typeof args[0] === 'string') {
    return { text: args[0], locals: new Set(isObject(args[1]) ? Object.keys(args[1]) : []) };
  }
  return undefined;
}

export function checkReferences(template: CfnObject): string[] {
  const problems: string[] = [];
  const parameters = new Set(Object.keys(sectionOf(template, 'Parameters')));
  const resources = new Set(Object.keys(sectionOf(template, 'Resources')));
  const conditions = new Set(Object.keys(sectionOf(template, 'Conditions')));
  const mappings = sectionOf(template, 'Mappings');
  const usedConditions = new Set<string>();
  const refOk = (name: string) => parameters.has(name) || resources.has(name) || PSEUDO_PARAMETERS.has(name);

  const visit = (value: CfnValue, path: string) => {
    const fn = intrinsicName(value);
    if (!fn || !isObject(value)) return;
    const args = value[fn]!;
    if (fn === 'Ref' && (typeof args !== 'string' || !refOk(args))) {
      problems.push(`${path}: Ref ${JSON.stringify(args)} is not a parameter, resource or pseudo parameter.`);
    }
    if (fn === 'Fn::GetAtt') {
      const target = Array.isArray(args) ? args[0] : undefined;
      if (typeof target !== 'string' || !resources.has(target)) {
        problems.push(`${path}: Fn::GetAtt target ${JSON.stringify(target)} is not a resource.`);
      }
    }
    if (fn === 'Fn::Sub') {
      const parts = subParts(args);
      if (!parts) problems.push(`${path}: Fn::Sub needs a string or [string, variables].`);
      for (const name of parts ? subPlaceholders(parts.text) : []) {
        const base = name.split('.')[0]!;
        const ok = parts!.locals.has(name) || (name.includes('.') ? resources.has(base) : refOk(name));
        if (!ok) problems.push(`${path}: Fn::Sub placeholder \${${name}} is not defined.`);
      }
    }
    if (fn === 'Fn::If' || fn === 'Condition') {
      const name = fn === 'Condition' ? args : Array.isArray(args) ? args[0] : undefined;
      if (typeof name !== 'string' || !conditions.has(name)) problems.push(`${path}: condition ${JSON.stringify(name)} is not defined.`);
      else usedConditions.add(name);
    }
    if (fn === 'Fn::FindInMap' && Array.isArray(args) && typeof args[0] === 'string' && !(args[0] in mappings)) {
      problems.push(`${path}: mapping ${args[0]} is not defined.`);
    }
  };

  for (const section of ['Conditions', 'Resources', 'Outputs']) walk(sectionOf(template, section), section, visit);

  for (const [id, resource] of Object.entries(sectionOf(template, 'Resources'))) {
    if (!isObject(resource)) continue;
    if (typeof resource.Condition === 'string') {
      if (!conditions.has(resource.Condition)) problems.push(`Resources.${id}: condition ${resource.Condition} is not defined.`);
      usedConditions.add(resource.Condition);
    }
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const dep of dependsOn) {
      if (typeof dep !== 'string' || !resources.has(dep)) problems.push(`Resources.${id}: DependsOn ${JSON.stringify(dep)} is not a resource.`);
    }
  }
  for (const [id, output] of Object.entries(sectionOf(template, 'Outputs'))) {
    if (isObject(output) && typeof output.Condition === 'string') {
      if (!conditions.has(output.Condition)) problems.push(`Outputs.${id}: condition ${output.Condition} is not defined.`);
      usedConditions.add(output.Condition);
    }
  }
  for (const name of conditions) {
    if (!usedConditions.has(name)) problems.push(`Conditions.${name} is defined but never used.`);
  }
  return problems;
}

/**
 * In a materialized template (see conditions.ts), every Ref/GetAtt/Sub must name a resource that
 * exists in that scenario: this is how a reference to a conditional resource from outside its
 * condition is caught.
 */
export function checkMaterializedReferences(template: CfnObject): string[] {
  return checkReferences({ ...template, Conditions: {} }).filter((p) => !p.includes('condition'));
}

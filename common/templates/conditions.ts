import type { CfnObject, CfnValue } from './cfn-value.js';
import { intrinsicName, isNoValue, isObject, sectionOf } from './intrinsics.js';

// A small evaluator of the condition functions, so tests and the cost model can see the stack a
// given set of parameters produces (which resources exist, which Fn::If branch is taken).

export interface Scenario {
  /** Parameter values as CloudFormation passes them: strings. */
  parameters: Record<string, string>;
  region: string;
}

function refValue(name: string, scenario: Scenario, template: CfnObject): string {
  if (name === 'AWS::Region') return scenario.region;
  if (name === 'AWS::Partition') return 'aws';
  if (name === 'AWS::AccountId') return '123456789012';
  if (name === 'AWS::StackName') return 'benchtop';
  if (name in scenario.parameters) return scenario.parameters[name]!;
  const def = sectionOf(template, 'Parameters')[name];
  if (isObject(def) && def.Default !== undefined) return String(def.Default);
  throw new Error(`Condition refers to ${name}, which has no value in this scenario.`);
}

function evalValue(value: CfnValue, scenario: Scenario, template: CfnObject, conditions: Map<string, boolean>): CfnValue {
  const fn = intrinsicName(value);
  if (!fn || !isObject(value)) return value;
  const args = value[fn]!;
  if (fn === 'Ref') return refValue(String(args), scenario, template);
  if (fn === 'Fn::FindInMap' && Array.isArray(args)) {
    const [map, top, second] = args.map((a) => String(evalValue(a, scenario, template, conditions)));
    const entry = sectionOf(sectionOf(template, 'Mappings'), map!)[top!];
    return isObject(entry) ? (entry[second!] ?? null) : null;
  }
  return evalCondition(value, scenario, template, conditions);
}

function evalCondition(expr: CfnValue, scenario: Scenario, template: CfnObject, conditions: Map<string, boolean>): boolean {
  const fn = intrinsicName(expr);
  if (!fn || !isObject(expr)) throw new Error(`Not a condition function: ${JSON.stringify(expr)}`);
  const args = expr[fn]!;
  const list = Array.isArray(args) ? args : [args];
  switch (fn) {
    case 'Condition':
      return conditionValue(String(args), scenario, template, conditions);
    case 'Fn::Equals':
      return String(evalValue(list[0]!, scenario, template, conditions)) === String(evalValue(list[1]!, scenario, template, conditions));
    case 'Fn::Not':
      return !evalCondition(list[0]!, scenario, template, conditions);
    case 'Fn::And':
      return list.every((c) => evalCondition(c, scenario, template, conditions));
    case 'Fn::Or':
      return list.some((c) => evalCondition(c, scenario, template, conditions));
    default:
      throw new Error(`${fn} is not allowed in a condition.`);
  }
}

function conditionValue(name: string, scenario: Scenario, template: CfnObject, cache: Map<string, boolean>): boolean {
  const known = cache.get(name);
  if (known !== undefined) return known;
  const expr = sectionOf(template, 'Conditions')[name];
  if (expr === undefined) throw new Error(`Condition ${name} is not defined.`);
  const result = evalCondition(expr, scenario, template, cache);
  cache.set(name, result);
  return result;
}

export function evaluateConditions(template: CfnObject, scenario: Scenario): Map<string, boolean> {
  const cache = new Map<string, boolean>();
  for (const name of Object.keys(sectionOf(template, 'Conditions'))) conditionValue(name, scenario, template, cache);
  return cache;
}

function prune(value: CfnValue, conditions: Map<string, boolean>): CfnValue | undefined {
  if (isNoValue(value)) return undefined;
  if (Array.isArray(value)) return value.map((v) => prune(v, conditions)).filter((v): v is CfnValue => v !== undefined);
  if (!isObject(value)) return value;
  if (intrinsicName(value) === 'Fn::If') {
    const [name, whenTrue, whenFalse] = value['Fn::If'] as [string, CfnValue, CfnValue];
    return prune(conditions.get(name) ? whenTrue : whenFalse, conditions);
  }
  const out: CfnObject = {};
  for (const [k, v] of Object.entries(value)) {
    const pruned = prune(v, conditions);
    if (pruned !== undefined) out[k] = pruned;
  }
  return out;
}

/**
 * The template as this scenario deploys it: resources and outputs whose condition is false are
 * gone, every Fn::If is replaced by its branch, AWS::NoValue removed. Other intrinsics stay.
 */
export function materialize(template: CfnObject, scenario: Scenario): CfnObject {
  const conditions = evaluateConditions(template, scenario);
  const keep = (section: string): CfnObject =>
    Object.fromEntries(
      Object.entries(sectionOf(template, section))
        .filter(([, v]) => !isObject(v) || typeof v.Condition !== 'string' || conditions.get(v.Condition))
        .map(([k, v]) => [k, prune(v, conditions) ?? null]),
    );
  return { ...template, Resources: keep('Resources'), Outputs: keep('Outputs') };
}

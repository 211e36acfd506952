import type { CfnObject, CfnValue } from './cfn-value.js';
import { intrinsicName, isObject, listItems, possibleValues, resourcesOf, sectionOf, type ResourceEntry } from './intrinsics.js';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js';

// What an IAM role of a template may do: every statement that reaches it (inline policies,
// AWS::IAM::Policy and customer managed policies attached to it, AWS managed policies from the
// table), and IAM's matching of actions and resources against them. Fn::If counts both branches.

export interface SourcedStatement {
  statement: CfnObject;
  /** Where it comes from, for messages: `inline policy services`, `AWS managed policy X`, `WorkerDrainPolicy`. */
  from: string;
}

export interface RoleStatements {
  statements: SourcedStatement[];
  /** AWS managed policies attached to the role that the table does not hold. */
  unknownManagedPolicies: string[];
}

/**
 * ARNs are compared with the pseudo parameters filled in, so a literal `arn:aws:ssm:*:*:...` of a
 * managed policy and a template's `arn:${AWS::Partition}:ssm:${AWS::Region}:...` meet.
 */
const PSEUDO_VALUES: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::StackName': 'lab',
  'AWS::URLSuffix': 'amazonaws.com',
};

export function statementsOf(document: CfnValue | undefined): CfnObject[] {
  return listItems(isObject(document) ? document.Statement : undefined).filter(isObject);
}

function subArgs(value: CfnValue): { text: string; locals: CfnObject } | undefined {
  if (!isObject(value) || intrinsicName(value) !== 'Fn::Sub') return undefined;
  const args = value['Fn::Sub'];
  if (typeof args === 'string') return { text: args, locals: {} };
  if (Array.isArray(args) && typeof args[0] === 'string') return { text: args[0], locals: isObject(args[1]) ? args[1] : {} };
  return undefined;
}

/**
 * The text a string or Fn::Sub value stands for: pseudo parameters filled in, a Ref to a parameter
 * as its default and to an SSM parameter resource as its Name; undefined for any other intrinsic.
 * A placeholder it cannot resolve stays `${Name}`, which matches nothing but a wildcard.
 */
export function resolvedText(template: CfnObject, value: CfnValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.Ref === 'string') return resolveName(template, value.Ref);
  const sub = value === undefined ? undefined : subArgs(value);
  if (!sub) return undefined;
  return sub.text.replace(/\$\{([^}!][^}]*)\}/g, (whole, name: string) => {
    const local = sub.locals[name];
    if (local !== undefined) return resolvedText(template, local) ?? whole;
    return resolveName(template, name) ?? whole;
  });
}

function resolveName(template: CfnObject, name: string): string | undefined {
  if (PSEUDO_VALUES[name] !== undefined) return PSEUDO_VALUES[name];
  const parameter = sectionOf(template, 'Parameters')[name];
  if (isObject(parameter) && typeof parameter.Default === 'string') return parameter.Default;
  const resource = sectionOf(template, 'Resources')[name];
  if (isObject(resource) && resource.Type === 'AWS::SSM::Parameter' && isObject(resource.Properties)) {
    return resolvedText(template, resource.Properties.Name);
  }
  return undefined;
}

/** The path after `policy/` of an AWS managed policy ARN, e.g. `service-role/AWSBackupServiceRolePolicyForBackup`. */
export function awsManagedPolicyName(template: CfnObject, value: CfnValue): string | undefined {
  return resolvedText(template, value)?.match(/^arn:[^:]+:iam::aws:policy\/(.+)$/)?.[1];
}

const refersTo = (value: CfnValue, id: string) => listItems(value).some((v) => isObject(v) && v.Ref === id);

export function roleStatements(template: CfnObject, role: ResourceEntry): RoleStatements {
  const statements: SourcedStatement[] = [];
  const unknownManagedPolicies: string[] = [];
  for (const policy of listItems(role.properties.Policies).filter(isObject)) {
    for (const statement of statementsOf(policy.PolicyDocument)) statements.push({ statement, from: `inline policy ${String(policy.PolicyName)}` });
  }
  const customerPolicies = new Map(resourcesOf(template, 'AWS::IAM::ManagedPolicy').map((p) => [p.id, p]));
  for (const arn of listItems(role.properties.ManagedPolicyArns)) {
    const name = awsManagedPolicyName(template, arn);
    const known = name === undefined ? undefined : AWS_MANAGED_POLICIES[name];
    if (known) {
      for (const statement of known.statements) statements.push({ statement, from: `AWS managed policy ${name!}` });
    } else if (name !== undefined) {
      unknownManagedPolicies.push(name);
    } else if (!(isObject(arn) && typeof arn.Ref === 'string' && customerPolicies.has(arn.Ref))) {
      unknownManagedPolicies.push(JSON.stringify(arn));
    }
  }
  for (const attached of [...resourcesOf(template, 'AWS::IAM::Policy'), ...customerPolicies.values()]) {
    if (refersTo(attached.properties.Roles ?? null, role.id) || listItems(role.properties.ManagedPolicyArns).some((a) => isObject(a) && a.Ref === attached.id)) {
      for (const statement of statementsOf(attached.properties.PolicyDocument)) statements.push({ statement, from: attached.id });
    }
  }
  return { statements, unknownManagedPolicies };
}

/** IAM's wildcard match as a RegExp: `*` any run of characters, `?` one. */
export function iamWildcard(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
}

function patternsMatch(template: CfnObject, patterns: CfnValue | undefined, value: string, ignoreCase: boolean): boolean {
  return listItems(patterns).some((p) => {
    const text = resolvedText(template, p);
    return text !== undefined && iamWildcard(text, ignoreCase).test(value);
  });
}

/** Whether a statement's Action (or NotAction) covers the action; IAM compares actions without case. */
export function coversAction(template: CfnObject, statement: CfnObject, action: string): boolean {
  if (statement.NotAction !== undefined) return !patternsMatch(template, statement.NotAction, action, true);
  return patternsMatch(template, statement.Action, action, true);
}

/** Whether a statement's Resource (or NotResource) covers the ARN. */
export function coversResource(template: CfnObject, statement: CfnObject, arn: string): boolean {
  if (statement.NotResource !== undefined) return !patternsMatch(template, statement.NotResource, arn, false);
  return patternsMatch(template, statement.Resource, arn, false);
}

/**
 * The first Allow statement that grants the action on one of the ARNs and that no unconditional
 * Deny of the role takes back. Conditions of an Allow are assumed to hold (the rule errs on the
 * side of "may"), unless `excluded` says the statement's conditions rule the request out.
 */
export function firstGrant(
  template: CfnObject,
  statements: SourcedStatement[],
  actions: string[],
  arns: string[],
  excluded: (statement: CfnObject) => boolean = () => false,
): { grant: SourcedStatement; action: string; arn: string } | undefined {
  for (const action of actions) {
    for (const arn of arns) {
      const denied = statements.some(({ statement }) => statement.Effect === 'Deny' && statement.Condition === undefined
        && coversAction(template, statement, action) && coversResource(template, statement, arn));
      if (denied) continue;
      const grant = statements.find(({ statement }) => statement.Effect === 'Allow' && !excluded(statement)
        && coversAction(template, statement, action) && coversResource(template, statement, arn));
      if (grant) return { grant, action, arn };
    }
  }
  return undefined;
}

/** The values a statement's condition pins a key to with StringEquals or StringLike, or undefined when it does not. */
export function conditionValues(template: CfnObject, statement: CfnObject, key: string): string[] | undefined {
  const condition = isObject(statement.Condition) ? statement.Condition : {};
  for (const operator of ['StringEquals', 'StringLike', 'ForAnyValue:StringEquals', 'ForAnyValue:StringLike']) {
    const block = condition[operator];
    if (!isObject(block) || block[key] === undefined) continue;
    return listItems(block[key]).flatMap((v) => possibleValues(v)).map((v) => resolvedText(template, v) ?? '');
  }
  return undefined;
}

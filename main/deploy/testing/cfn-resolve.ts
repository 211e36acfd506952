import type { CfnObject, CfnValue } from '../../../common/templates/cfn-value.js';
import { intrinsicName, isObject, sectionOf } from '../../../common/templates/intrinsics.js';

// What CloudFormation would hand an instance: the intrinsics of a deployed template (Conditions
// already applied, Fn::If branches chosen) resolved to strings. Refs to parameters take the
// stack's values or the defaults, pseudo parameters the stack's, and Refs/GetAtts of resources
// the fake's physical ids or values shaped like the real ones (an ECR repository's URI, an ARN).

export interface ResolveContext {
  stackName: string;
  stackId: string;
  region: string;
  account: string;
  parameters: Record<string, string>;
  /** Physical id of a resource the stack created. */
  physicalId(logicalId: string): string | undefined;
}

function resourceType(template: CfnObject, logicalId: string): string {
  const resource = sectionOf(template, 'Resources')[logicalId];
  return isObject(resource) ? String(resource.Type) : '';
}

function physical(template: CfnObject, context: ResolveContext, logicalId: string): string {
  const id = context.physicalId(logicalId);
  if (id === undefined) throw new Error(`${logicalId} is not a resource of the deployed stack ${context.stackName}.`);
  return id;
}

function attribute(template: CfnObject, context: ResolveContext, logicalId: string, name: string): string {
  const id = physical(template, context, logicalId);
  const type = resourceType(template, logicalId);
  const { region, account } = context;
  if (type === 'AWS::ECR::Repository' && name === 'RepositoryUri') return `${account}.dkr.ecr.${region}.amazonaws.com/${id}`;
  if (type === 'AWS::S3::Bucket' && name === 'Arn') return `arn:aws:s3:::${id}`;
  if (type === 'AWS::S3::Bucket' && name.endsWith('DomainName')) return `${id}.s3.${region}.amazonaws.com`;
  if (type === 'AWS::KMS::Key' && name === 'Arn') return `arn:aws:kms:${region}:${account}:key/${id}`;
  if (type === 'AWS::KMS::Key' && name === 'KeyId') return id;
  if (name === 'Arn') return `arn:aws:${type.split('::')[1]!.toLowerCase()}:${region}:${account}:${id}`;
  return `${id}-${name.toLowerCase()}`;
}

function ref(template: CfnObject, context: ResolveContext, name: string): string {
  switch (name) {
    case 'AWS::StackName':
      return context.stackName;
    case 'AWS::StackId':
      return context.stackId;
    case 'AWS::Region':
      return context.region;
    case 'AWS::AccountId':
      return context.account;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const parameter = sectionOf(template, 'Parameters')[name];
  if (parameter !== undefined) {
    const value = context.parameters[name] ?? (isObject(parameter) && parameter.Default !== undefined ? String(parameter.Default) : undefined);
    if (value === undefined) throw new Error(`Parameter ${name} has no value and no default.`);
    return value;
  }
  return physical(template, context, name);
}

function substitute(template: CfnObject, context: ResolveContext, text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (name in variables) return variables[name]!;
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return attribute(template, context, name.slice(0, dot), name.slice(dot + 1));
    return ref(template, context, name);
  });
}

function text(value: CfnValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`Expected a string, got ${JSON.stringify(value)}.`);
}

/** Resolves every intrinsic function in `value`; fails on one it does not know. */
export function resolveIntrinsics(template: CfnObject, context: ResolveContext, value: CfnValue): CfnValue {
  const again = (v: CfnValue) => resolveIntrinsics(template, context, v);
  if (Array.isArray(value)) return value.map(again);
  if (!isObject(value)) return value;
  const fn = intrinsicName(value);
  if (!fn) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, again(v)]));
  const args = value[fn]!;
  switch (fn) {
    case 'Ref':
      return ref(template, context, text(args));
    case 'Fn::GetAtt': {
      const [logicalId, name] = Array.isArray(args) ? args.map((a) => text(again(a))) : text(args).split(/\.(.*)/);
      return attribute(template, context, logicalId!, name!);
    }
    case 'Fn::Sub': {
      if (typeof args === 'string') return substitute(template, context, args, {});
      const [body, variables] = args as [CfnValue, CfnObject | undefined];
      const resolved = Object.fromEntries(Object.entries(variables ?? {}).map(([k, v]) => [k, text(again(v))]));
      return substitute(template, context, text(body), resolved);
    }
    case 'Fn::Base64':
      return Buffer.from(text(again(args)), 'utf8').toString('base64');
    case 'Fn::Join': {
      const [separator, items] = args as [string, CfnValue];
      return (again(items) as CfnValue[]).map(text).join(separator);
    }
    case 'Fn::Select': {
      const [index, items] = args as [CfnValue, CfnValue];
      return (again(items) as CfnValue[])[Number(again(index))] ?? null;
    }
    case 'Fn::Split': {
      const [separator, source] = args as [string, CfnValue];
      return text(again(source)).split(separator);
    }
    default:
      throw new Error(`The resolver does not know ${fn}.`);
  }
}

/** The user data of a launch template, decoded: the script the instance runs. */
export function launchTemplateUserData(template: CfnObject, context: ResolveContext, logicalId: string): string {
  const resource = sectionOf(template, 'Resources')[logicalId];
  if (!isObject(resource) || resource.Type !== 'AWS::EC2::LaunchTemplate') throw new Error(`${logicalId} is not a launch template of the deployed stack.`);
  const data = (resource.Properties as CfnObject | undefined)?.LaunchTemplateData as CfnObject | undefined;
  const userData = resolveIntrinsics(template, context, data?.UserData ?? null);
  if (typeof userData !== 'string') throw new Error(`${logicalId} has no user data.`);
  return Buffer.from(userData, 'base64').toString('utf8');
}

import { allowedRetention, isStateful, RETAIN_REASON_KEY } from '../stateful-resources.js';
import type { CfnObject, CfnValue } from './cfn-value.js';
import { intrinsicName, isObject, listItems, possibleValues, resourcesOf, sectionOf, valuesAt, type ResourceEntry } from './intrinsics.js';
import { conditionValues, firstGrant, iamWildcard, roleStatements, statementsOf, resolvedText } from './iam-statements.js';

// Our security rules (DESIGN.md, "The stack": security), each a function over a parsed template
// that returns what breaks it. Values behind an Fn::If count on both branches, and a Ref to a
// parameter counts as the parameter's default, so a rule judges what could be deployed.

export interface Violation {
  rule: string;
  resource: string;
  message: string;
}

export interface SecurityRule {
  id: string;
  description: string;
  check(template: CfnObject): Violation[];
}

/** The literal values a value can have: parameter Refs resolve to their default. */
function literals(template: CfnObject, value: CfnValue | undefined): CfnValue[] {
  return possibleValues(value).map((v) => {
    if (intrinsicName(v) === 'Ref' && isObject(v)) {
      const param = sectionOf(template, 'Parameters')[String(v.Ref)];
      if (isObject(param) && param.Default !== undefined) return param.Default;
    }
    return v;
  });
}

function refTarget(value: CfnValue | undefined): string | undefined {
  return isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
}

const truthy = (v: CfnValue) => v === true || v === 'true';
const violation = (rule: string, resource: string, message: string): Violation => ({ rule, resource, message });

function policyDocuments(r: ResourceEntry): CfnValue[] {
  if (r.type === 'AWS::IAM::Role') return listItems(r.properties.Policies).filter(isObject).map((p) => p.PolicyDocument ?? null);
  if (r.type === 'AWS::IAM::Policy' || r.type === 'AWS::IAM::ManagedPolicy') return [r.properties.PolicyDocument ?? null];
  return [];
}

export const imdsV2Required: SecurityRule = {
  id: 'imdsv2-required',
  description: 'Instances require IMDSv2 tokens with a hop limit of 1 (containers cannot reach instance credentials).',
  check(template) {
    const out: Violation[] = [];
    const templates = new Map(resourcesOf(template, 'AWS::EC2::LaunchTemplate').map((r) => [r.id, r]));
    for (const lt of templates.values()) {
      const tokens = valuesAt(lt.properties.LaunchTemplateData, ['MetadataOptions', 'HttpTokens']);
      const hops = valuesAt(lt.properties.LaunchTemplateData, ['MetadataOptions', 'HttpPutResponseHopLimit']);
      if (tokens.length === 0 || tokens.some((t) => t !== 'required')) out.push(violation(this.id, lt.id, 'MetadataOptions.HttpTokens must be "required".'));
      if (hops.length === 0 || hops.some((h) => Number(h) !== 1)) out.push(violation(this.id, lt.id, 'MetadataOptions.HttpPutResponseHopLimit must be 1.'));
    }
    for (const instance of resourcesOf(template, 'AWS::EC2::Instance')) {
      const lt = refTarget(valuesAt(instance.properties.LaunchTemplate, ['LaunchTemplateId'])[0]);
      if (!lt || !templates.has(lt)) out.push(violation(this.id, instance.id, 'An instance must take its metadata options from a launch template of this stack.'));
    }
    return out;
  },
};

export const encryptionAtRest: SecurityRule = {
  id: 'encryption-at-rest',
  description: 'EBS volumes, EFS, S3 buckets, SNS topics and ECR repositories are encrypted.',
  check(template) {
    const out: Violation[] = [];
    for (const lt of resourcesOf(template, 'AWS::EC2::LaunchTemplate')) {
      for (const mapping of listItems(valuesAt(lt.properties.LaunchTemplateData, ['BlockDeviceMappings'])[0])) {
        const enc = valuesAt(mapping, ['Ebs', 'Encrypted']);
        if (enc.length === 0 || !enc.every(truthy)) out.push(violation(this.id, lt.id, 'every EBS block device must set Encrypted: true.'));
      }
    }
    for (const v of resourcesOf(template, 'AWS::EC2::Volume')) {
      if (!possibleValues(v.properties.Encrypted).every(truthy) || v.properties.Encrypted === undefined) out.push(violation(this.id, v.id, 'the volume must set Encrypted: true.'));
    }
    for (const fs of resourcesOf(template, 'AWS::EFS::FileSystem')) {
      if (fs.properties.Encrypted === undefined || !possibleValues(fs.properties.Encrypted).every(truthy)) out.push(violation(this.id, fs.id, 'the file system must set Encrypted: true.'));
    }
    for (const b of resourcesOf(template, 'AWS::S3::Bucket')) {
      const algorithms = listItems(valuesAt(b.properties.BucketEncryption, ['ServerSideEncryptionConfiguration'])[0])
        .flatMap((rule) => valuesAt(rule, ['ServerSideEncryptionByDefault', 'SSEAlgorithm']));
      if (algorithms.length === 0) out.push(violation(this.id, b.id, 'the bucket must set BucketEncryption (SSE-S3 or SSE-KMS).'));
    }
    for (const t of resourcesOf(template, 'AWS::SNS::Topic')) {
      if (t.properties.KmsMasterKeyId === undefined) out.push(violation(this.id, t.id, 'the topic must set KmsMasterKeyId.'));
    }
    for (const r of resourcesOf(template, 'AWS::ECR::Repository')) {
      if (valuesAt(r.properties.EncryptionConfiguration, ['EncryptionType']).length === 0) out.push(violation(this.id, r.id, 'the repository must set EncryptionConfiguration.EncryptionType.'));
    }
    return out;
  },
};

const PUBLIC_ACCESS_FLAGS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];

export const s3BlockPublicAccess: SecurityRule = {
  id: 's3-block-public-access',
  description: 'Every bucket blocks public access with all four settings.',
  check(template) {
    return resourcesOf(template, 'AWS::S3::Bucket').flatMap((b) =>
      PUBLIC_ACCESS_FLAGS.filter((flag) => {
        const values = valuesAt(b.properties.PublicAccessBlockConfiguration, [flag]);
        return values.length === 0 || !values.every(truthy);
      }).map((flag) => violation(this.id, b.id, `PublicAccessBlockConfiguration.${flag} must be true.`)),
    );
  },
};

function deniesInsecureTransport(statement: CfnObject): boolean {
  const secure = valuesAt(statement.Condition, ['Bool', 'aws:SecureTransport']);
  const principal = possibleValues(statement.Principal);
  const actions = listItems(statement.Action);
  return statement.Effect === 'Deny' && secure.some((v) => v === 'false' || v === false)
    && principal.some((p) => p === '*' || (isObject(p) && p.AWS === '*'))
    && actions.some((a) => a === 's3:*');
}

export const s3TlsOnly: SecurityRule = {
  id: 's3-tls-only',
  description: 'Every bucket has a policy that denies any request not made over TLS.',
  check(template) {
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
    return resourcesOf(template, 'AWS::S3::Bucket')
      .filter((b) => !policies.some((p) => refTarget(p.properties.Bucket) === b.id && statementsOf(p.properties.PolicyDocument).some(deniesInsecureTransport)))
      .map((b) => violation(this.id, b.id, 'no bucket policy denies s3:* when aws:SecureTransport is false.'));
  },
};

const WORLD = new Set(['0.0.0.0/0', '::/0']);

export const noWorldIngress: SecurityRule = {
  id: 'no-world-ingress',
  description: 'No security group admits the whole internet, except the internet-facing load balancer on 443 and 80.',
  check(template) {
    const out: Violation[] = [];
    const loadBalancerGroups = new Set(
      resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').flatMap((lb) => listItems(lb.properties.SecurityGroups).map(refTarget)),
    );
    const judge = (group: string | undefined, owner: string, rule: CfnValue) => {
      if (!isObject(rule)) return;
      const cidrs = [...literals(template, rule.CidrIp), ...literals(template, rule.CidrIpv6)];
      if (!cidrs.some((c) => typeof c === 'string' && WORLD.has(c))) return;
      const port = Number(rule.FromPort);
      const webPort = rule.IpProtocol === 'tcp' && port === Number(rule.ToPort) && (port === 443 || port === 80);
      if (!(group && loadBalancerGroups.has(group) && webPort)) {
        out.push(violation(this.id, owner, `ingress ${String(rule.IpProtocol)} ${String(rule.FromPort ?? '')}-${String(rule.ToPort ?? '')} is open to the internet.`));
      }
    };
    for (const sg of resourcesOf(template, 'AWS::EC2::SecurityGroup')) {
      for (const rule of listItems(sg.properties.SecurityGroupIngress)) judge(sg.id, sg.id, rule);
    }
    for (const ingress of resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')) judge(refTarget(ingress.properties.GroupId), ingress.id, ingress.properties);
    return out;
  },
};

// AWS managed policies too broad for an instance role of ours (CloudWatchAgentServerPolicy
// allows PutMetricData to any namespace).
const BROAD_MANAGED_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'AmazonS3FullAccess', 'AmazonEC2FullAccess', 'CloudWatchAgentServerPolicy', 'CloudWatchFullAccess'];

export const iamNoWildcards: SecurityRule = {
  id: 'iam-no-wildcards',
  description: 'No IAM statement allows action "*" on resource "*", and no broad AWS managed policy is attached.',
  check(template) {
    const out: Violation[] = [];
    for (const r of resourcesOf(template)) {
      for (const statement of policyDocuments(r).flatMap(statementsOf)) {
        if (statement.Effect !== 'Allow') continue;
        const anyAction = listItems(statement.Action).some((a) => a === '*');
        const anyResource = listItems(statement.Resource).some((a) => a === '*');
        if (anyAction && anyResource) out.push(violation(this.id, r.id, `statement ${String(statement.Sid ?? '')} allows every action on every resource.`));
      }
      for (const arn of listItems(r.properties.ManagedPolicyArns)) {
        const text = JSON.stringify(arn);
        const broad = BROAD_MANAGED_POLICIES.find((p) => text.includes(`policy/${p}"`) || text.includes(`policy/${p}'`));
        if (broad) out.push(violation(this.id, r.id, `managed policy ${broad} grants far more than this role needs.`));
      }
    }
    return out;
  },
};

export const metricNamespaceCondition: SecurityRule = {
  id: 'put-metric-data-namespace',
  description: 'cloudwatch:PutMetricData is allowed only with a cloudwatch:namespace condition.',
  check(template) {
    const out: Violation[] = [];
    for (const r of resourcesOf(template)) {
      for (const statement of policyDocuments(r).flatMap(statementsOf)) {
        if (statement.Effect !== 'Allow') continue;
        const grants = listItems(statement.Action).some((a) => a === 'cloudwatch:PutMetricData' || a === 'cloudwatch:*' || a === 'cloudwatch:Put*');
        const conditioned = Object.values(isObject(statement.Condition) ? statement.Condition : {})
          .some((op) => isObject(op) && 'cloudwatch:namespace' in op);
        if (grants && !conditioned) out.push(violation(this.id, r.id, `statement ${String(statement.Sid ?? '')} allows PutMetricData without a cloudwatch:namespace condition.`));
      }
    }
    return out;
  },
};

export const statefulRetention: SecurityRule = {
  id: 'stateful-retention',
  description: 'Resources holding data keep it once created (DeletionPolicy RetainExceptOnCreate, UpdateReplacePolicy Retain or Snapshot), and a rolled-back first create removes them.',
  check(template) {
    const out: Violation[] = [];
    for (const r of resourcesOf(template)) {
      const allowed = allowedRetention(r.type);
      if (!allowed) continue;
      for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
        const value = r.resource[policy];
        const accepted = allowed[policy];
        if (typeof value !== 'string' || !accepted.includes(value)) {
          out.push(violation(this.id, r.id, `${policy} must be ${accepted.join(' or ')} (got ${String(value ?? 'none')}).`));
        } else if (policy === 'DeletionPolicy' && value !== accepted[0] && !retainReason(r)) {
          out.push(violation(this.id, r.id, `DeletionPolicy ${value} leaves it behind when a first create rolls back: use ${accepted[0]}, or give the reason in Metadata.Benchtop.${RETAIN_REASON_KEY}.`));
        }
      }
    }
    return out;
  },
};

function retainReason(r: ResourceEntry): boolean {
  const benchtop = isObject(r.resource.Metadata) ? r.resource.Metadata.Benchtop : undefined;
  const reason = isObject(benchtop) ? benchtop[RETAIN_REASON_KEY] : undefined;
  return typeof reason === 'string' && reason.trim().length > 0;
}

// The physical name properties of the stateful types that have one.
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Backup::BackupVault': 'BackupVaultName',
};

export const retainedNamesUnique: SecurityRule = {
  id: 'retained-names-unique',
  description: 'A stateful resource (kept after its stack) has a generated name, or one unique to its stack (AWS::StackId), so a reinstall does not collide with what the last one kept.',
  check(template) {
    return resourcesOf(template)
      .filter((r) => isStateful(r.type) && NAME_PROPERTIES[r.type] !== undefined)
      .flatMap((r) => {
        const name = r.properties[NAME_PROPERTIES[r.type]!];
        if (name === undefined || JSON.stringify(name).includes('AWS::StackId')) return [];
        return [violation(this.id, r.id, `${NAME_PROPERTIES[r.type]!} is fixed (${JSON.stringify(name)}): leave it out, or make it unique with AWS::StackId.`)];
      });
  },
};

// The admin token: only the services agent that writes it may read it (and the admin, outside
// the stack). Reading means the SSM read actions on the parameter (or a path above it), or
// kms:Decrypt of its ciphertext, which Parameter Store asks for with the parameter's ARN as
// encryption context (PARAMETER_ARN).
const ADMIN_TOKEN_PARAMETER = '/benchtop/${AWS::StackName}/admin-token';
const ADMIN_TOKEN_READER = 'ServicesRole';
const SSM_READS = ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory'];
const SSM_PATH_READS = ['ssm:GetParametersByPath'];
const ENCRYPTION_CONTEXT_KEY = 'kms:EncryptionContext:PARAMETER_ARN';

function adminTokenArns(template: CfnObject): { parameter: string; paths: string[]; key: string; ssmService: string } {
  const parameter = resolvedText(template, { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter' + ADMIN_TOKEN_PARAMETER })!;
  const [prefix, path] = parameter.split(':parameter');
  const parts = path!.split('/').slice(1, -1);
  const paths = parts.map((_, i) => `${prefix!}:parameter/${parts.slice(0, i + 1).join('/')}`);
  const key = resolvedText(template, { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/token-key' })!;
  const ssmService = resolvedText(template, { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' })!;
  return { parameter, paths: [`${prefix!}:parameter/`, ...paths], key, ssmService };
}

export const adminTokenReaders: SecurityRule = {
  id: 'admin-token-readers',
  description: `No role but ${ADMIN_TOKEN_READER} may read or decrypt the admin token parameter, AWS managed policies expanded.`,
  check(template) {
    const out: Violation[] = [];
    const arns = adminTokenArns(template);
    // A kms:Decrypt grant that cannot apply to a Parameter Store request for the admin token: it
    // names another parameter, another calling service, or encryption context keys SSM never sends.
    const pinnedElsewhere = (statement: CfnObject, key: string, value: string, ignoreCase: boolean) => {
      const values = conditionValues(template, statement, key);
      return values !== undefined && !values.some((v) => iamWildcard(v, ignoreCase).test(value));
    };
    const notForAdminToken = (statement: CfnObject) => pinnedElsewhere(statement, ENCRYPTION_CONTEXT_KEY, arns.parameter, false)
      || pinnedElsewhere(statement, 'kms:ViaService', arns.ssmService, true)
      || pinnedElsewhere(statement, 'kms:EncryptionContextKeys', 'PARAMETER_ARN', false);
    for (const role of resourcesOf(template, 'AWS::IAM::Role').filter((r) => r.id !== ADMIN_TOKEN_READER)) {
      const { statements, unknownManagedPolicies } = roleStatements(template, role);
      for (const name of unknownManagedPolicies) {
        out.push(violation(this.id, role.id, `attaches ${name}, which this rule cannot see through: add its statements to templates/validate/aws-managed-policies.ts.`));
      }
      const read = firstGrant(template, statements, SSM_READS, [arns.parameter]) ?? firstGrant(template, statements, SSM_PATH_READS, arns.paths);
      if (read) out.push(violation(this.id, role.id, `can read the admin token: ${read.grant.from} allows ${read.action} on ${read.arn}.`));
      const decrypt = firstGrant(template, statements, ['kms:Decrypt'], [arns.key], notForAdminToken);
      if (decrypt) out.push(violation(this.id, role.id, `can decrypt the admin token: ${decrypt.grant.from} allows kms:Decrypt without limiting ${ENCRYPTION_CONTEXT_KEY} to another parameter.`));
    }
    return out;
  },
};

export const logRetention: SecurityRule = {
  id: 'log-retention',
  description: 'Every log group has a retention period.',
  check(template) {
    return resourcesOf(template, 'AWS::Logs::LogGroup')
      .filter((g) => g.properties.RetentionInDays === undefined)
      .map((g) => violation(this.id, g.id, 'RetentionInDays must be set.'));
  },
};

export const noPublicIps: SecurityRule = {
  id: 'no-public-ips',
  description: 'Instances get no public IP (the NAT instance, which forwards traffic, is the one exception).',
  check(template) {
    const out: Violation[] = [];
    for (const lt of resourcesOf(template, 'AWS::EC2::LaunchTemplate')) {
      for (const nic of listItems(valuesAt(lt.properties.LaunchTemplateData, ['NetworkInterfaces'])[0])) {
        const pub = valuesAt(nic, ['AssociatePublicIpAddress']);
        if (pub.length === 0 || pub.some(truthy)) out.push(violation(this.id, lt.id, 'network interfaces must set AssociatePublicIpAddress: false.'));
      }
    }
    for (const instance of resourcesOf(template, 'AWS::EC2::Instance')) {
      const isNat = possibleValues(instance.properties.SourceDestCheck).some((v) => v === false || v === 'false');
      const pub = listItems(instance.properties.NetworkInterfaces).flatMap((nic) => valuesAt(nic, ['AssociatePublicIpAddress']));
      if (pub.some(truthy) && !isNat) out.push(violation(this.id, instance.id, 'only a NAT instance (SourceDestCheck: false) may have a public IP.'));
    }
    for (const subnet of resourcesOf(template, 'AWS::EC2::Subnet')) {
      if (possibleValues(subnet.properties.MapPublicIpOnLaunch).some(truthy)) out.push(violation(this.id, subnet.id, 'MapPublicIpOnLaunch must not be true.'));
    }
    return out;
  },
};

function attribute(lb: ResourceEntry, key: string): CfnValue[] {
  return listItems(lb.properties.LoadBalancerAttributes).filter((a) => isObject(a) && a.Key === key).flatMap((a) => possibleValues((a as CfnObject).Value));
}

export const loadBalancerHardening: SecurityRule = {
  id: 'load-balancer-hardening',
  description: 'HTTPS listeners use a TLS 1.3 policy; load balancers drop invalid headers and mitigate desync; public HTTP only redirects.',
  check(template) {
    const out: Violation[] = [];
    const lbs = new Map(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').map((lb) => [lb.id, lb]));
    for (const lb of lbs.values()) {
      if (!attribute(lb, 'routing.http.drop_invalid_header_fields.enabled').some(truthy)) out.push(violation(this.id, lb.id, 'routing.http.drop_invalid_header_fields.enabled must be true.'));
      const desync = attribute(lb, 'routing.http.desync_mitigation_mode');
      if (!desync.some((m) => m === 'defensive' || m === 'strictest')) out.push(violation(this.id, lb.id, 'routing.http.desync_mitigation_mode must be defensive or strictest.'));
    }
    for (const listener of resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener')) {
      const protocol = listener.properties.Protocol;
      if (protocol === 'HTTPS') {
        const policy = literals(template, listener.properties.SslPolicy);
        if (!policy.every((p) => typeof p === 'string' && p.startsWith('ELBSecurityPolicy-TLS13-')) || policy.length === 0) {
          out.push(violation(this.id, listener.id, 'SslPolicy must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-...).'));
        }
      }
      if (protocol === 'HTTP') {
        const lb = lbs.get(refTarget(listener.properties.LoadBalancerArn) ?? '');
        const schemes = lb ? literals(template, lb.properties.Scheme) : ['internet-facing'];
        const mayBePublic = schemes.some((s) => s !== 'internal');
        const onlyRedirects = listItems(listener.properties.DefaultActions).every((a) => isObject(a) && a.Type === 'redirect'
          && valuesAt(a, ['RedirectConfig', 'Protocol']).every((p) => p === 'HTTPS'));
        if (mayBePublic && !onlyRedirects) out.push(violation(this.id, listener.id, 'an HTTP listener on a public load balancer may only redirect to HTTPS.'));
      }
    }
    return out;
  },
};

export const SECURITY_RULES: SecurityRule[] = [
  imdsV2Required, encryptionAtRest, s3BlockPublicAccess, s3TlsOnly, noWorldIngress, iamNoWildcards,
  metricNamespaceCondition, statefulRetention, retainedNamesUnique, adminTokenReaders, logRetention,
  noPublicIps, loadBalancerHardening,
];

export function checkSecurity(template: CfnObject): Violation[] {
  return SECURITY_RULES.flatMap((rule) => rule.check(template));
}

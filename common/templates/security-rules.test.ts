import { describe, expect, it } from 'vitest';
import type { CfnObject } from './cfn-value.js';
import { materialize } from './conditions.js';
import {
  adminTokenReaders, checkSecurity, encryptionAtRest, iamNoWildcards, imdsV2Required, loadBalancerHardening, logRetention,
  metricNamespaceCondition, noPublicIps, noWorldIngress, retainedNamesUnique, s3BlockPublicAccess, s3TlsOnly, statefulRetention,
  type SecurityRule,
} from './security-rules.js';
import { freshTemplate, propsOf, resourceOf, SCENARIOS } from '../../templates/validate/test-helpers.js';

type Obj = Record<string, unknown>;
const ltData = (t: CfnObject, id: string) => propsOf(t, id).LaunchTemplateData as Obj;
const firstRule = (t: CfnObject, rule: SecurityRule) => rule.check(t).map((v) => `${v.resource}: ${v.message}`);
const statements = (t: CfnObject, role: string) =>
  (((propsOf(t, role).Policies as Obj[])[0]!.PolicyDocument as Obj).Statement as Obj[]);

describe('security rules', () => {
  it.each(['bootstrap', 'platform'] as const)('%s passes every rule', (name) => {
    expect(checkSecurity(freshTemplate(name))).toEqual([]);
  });

  it.each(SCENARIOS)('the platform deployed as $name passes every rule', ({ parameters }) => {
    expect(checkSecurity(materialize(freshTemplate('platform'), { parameters, region: 'us-east-1' }))).toEqual([]);
  });

  describe('IMDSv2 with hop limit 1', () => {
    it('fails when a launch template makes tokens optional', () => {
      const t = freshTemplate('platform');
      (ltData(t, 'CpuWorkerLaunchTemplate').MetadataOptions as Obj).HttpTokens = 'optional';
      expect(firstRule(t, imdsV2Required)).toEqual(['CpuWorkerLaunchTemplate: MetadataOptions.HttpTokens must be "required".']);
    });
    it('fails when the hop limit lets containers reach the metadata service', () => {
      const t = freshTemplate('platform');
      (ltData(t, 'GpuWorkerLaunchTemplate').MetadataOptions as Obj).HttpPutResponseHopLimit = 2;
      expect(firstRule(t, imdsV2Required)).toEqual(['GpuWorkerLaunchTemplate: MetadataOptions.HttpPutResponseHopLimit must be 1.']);
    });
    it('fails when an instance has no launch template', () => {
      const t = freshTemplate('platform');
      delete propsOf(t, 'NatInstance').LaunchTemplate;
      expect(firstRule(t, imdsV2Required)).toEqual([expect.stringContaining('NatInstance: An instance must take its metadata options')]);
    });
  });

  describe('encryption at rest', () => {
    it('fails on an unencrypted root volume', () => {
      const t = freshTemplate('platform');
      ((ltData(t, 'ServicesLaunchTemplate').BlockDeviceMappings as Obj[])[0]!.Ebs as Obj).Encrypted = false;
      expect(firstRule(t, encryptionAtRest)).toEqual([expect.stringMatching(/^ServicesLaunchTemplate: every EBS block device/)]);
    });
    it('fails on an unencrypted data volume', () => {
      const t = freshTemplate('platform');
      delete propsOf(t, 'DataVolume').Encrypted;
      expect(firstRule(t, encryptionAtRest)).toEqual(['DataVolume: the volume must set Encrypted: true.']);
    });
    it('fails on an unencrypted file system', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'FileSystem').Encrypted = false;
      expect(firstRule(t, encryptionAtRest)).toEqual(['FileSystem: the file system must set Encrypted: true.']);
    });
    it('fails on a bucket without default encryption', () => {
      const t = freshTemplate('platform');
      delete propsOf(t, 'ResultsBucket').BucketEncryption;
      expect(firstRule(t, encryptionAtRest)).toEqual([expect.stringMatching(/^ResultsBucket: the bucket must set BucketEncryption/)]);
    });
    it('fails on an unencrypted topic', () => {
      const t = freshTemplate('platform');
      delete propsOf(t, 'AlarmTopic').KmsMasterKeyId;
      expect(firstRule(t, encryptionAtRest)).toEqual(['AlarmTopic: the topic must set KmsMasterKeyId.']);
    });
    it('fails on a repository without encryption settings', () => {
      const t = freshTemplate('platform');
      delete propsOf(t, 'ImageRepository').EncryptionConfiguration;
      expect(firstRule(t, encryptionAtRest)).toEqual([expect.stringMatching(/^ImageRepository: /)]);
    });
  });

  it('S3 Block Public Access: fails when a bucket stops restricting public buckets', () => {
    const t = freshTemplate('bootstrap');
    (propsOf(t, 'ArtifactsBucket').PublicAccessBlockConfiguration as Obj).RestrictPublicBuckets = false;
    expect(firstRule(t, s3BlockPublicAccess)).toEqual(['ArtifactsBucket: PublicAccessBlockConfiguration.RestrictPublicBuckets must be true.']);
  });

  it('TLS only: fails when a bucket policy loses its SecureTransport deny', () => {
    const t = freshTemplate('platform');
    const doc = propsOf(t, 'ResultsBucketPolicy').PolicyDocument as Obj;
    doc.Statement = (doc.Statement as Obj[]).filter((s) => s.Sid !== 'TlsOnly');
    expect(firstRule(t, s3TlsOnly)).toEqual(['ResultsBucket: no bucket policy denies s3:* when aws:SecureTransport is false.']);
  });

  describe('no world-open ingress', () => {
    it('fails when the services group admits the internet', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'ServicesSecurityGroup').SecurityGroupIngress = [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, CidrIp: '0.0.0.0/0' }];
      expect(firstRule(t, noWorldIngress)).toEqual(['ServicesSecurityGroup: ingress tcp 8080-8080 is open to the internet.']);
    });
    it('fails on IPv6 ::/0 in a separate ingress rule', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'FileSystemFromWorkers').CidrIpv6 = '::/0';
      expect(firstRule(t, noWorldIngress)).toEqual(['FileSystemFromWorkers: ingress tcp 2049-2049 is open to the internet.']);
    });
    it('fails when the load balancer opens a port other than 443 and 80 to the world', () => {
      const t = freshTemplate('platform');
      (propsOf(t, 'EntryLoadBalancerSecurityGroup').SecurityGroupIngress as Obj[]).push({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: { Ref: 'AllowedClientCidr' } });
      expect(firstRule(t, noWorldIngress)).toEqual(['EntryLoadBalancerSecurityGroup: ingress tcp 22-22 is open to the internet.']);
    });
  });

  describe('IAM least privilege', () => {
    it('fails on a statement allowing * on *', () => {
      const t = freshTemplate('platform');
      statements(t, 'WorkerRole').push({ Effect: 'Allow', Action: '*', Resource: '*' });
      expect(firstRule(t, iamNoWildcards)).toEqual(['WorkerRole: statement  allows every action on every resource.']);
    });
    it('fails on a broad AWS managed policy', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'ServicesRole').ManagedPolicyArns = [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/CloudWatchAgentServerPolicy' }];
      expect(firstRule(t, iamNoWildcards)).toEqual(['ServicesRole: managed policy CloudWatchAgentServerPolicy grants far more than this role needs.']);
    });
    it('fails when PutMetricData loses its namespace condition', () => {
      const t = freshTemplate('platform');
      const stmt = statements(t, 'ServicesRole').find((s) => s.Sid === 'StackMetricsOnly')!;
      delete stmt.Condition;
      expect(firstRule(t, metricNamespaceCondition)).toEqual(['ServicesRole: statement StackMetricsOnly allows PutMetricData without a cloudwatch:namespace condition.']);
    });
  });

  describe('stateful resources keep their data, except after a rolled-back first create', () => {
    it('fails when the data volume would be deleted with the stack', () => {
      const t = freshTemplate('platform');
      resourceOf(t, 'DataVolume').DeletionPolicy = 'Delete';
      expect(firstRule(t, statefulRetention)).toEqual(['DataVolume: DeletionPolicy must be RetainExceptOnCreate (got Delete).']);
    });
    it('fails when a failed first create would leave the backup vault behind', () => {
      const t = freshTemplate('platform');
      resourceOf(t, 'BackupVault').DeletionPolicy = 'Retain';
      expect(firstRule(t, statefulRetention)).toEqual(['BackupVault: DeletionPolicy must be RetainExceptOnCreate (got Retain).']);
    });
    it('fails when a bucket keeps Retain without saying why', () => {
      const t = freshTemplate('platform');
      resourceOf(t, 'ResultsBucket').DeletionPolicy = 'Retain';
      delete resourceOf(t, 'LogsBucket').Metadata;
      expect(firstRule(t, statefulRetention)).toEqual([
        'LogsBucket: DeletionPolicy Retain leaves it behind when a first create rolls back: use RetainExceptOnCreate, or give the reason in Metadata.Benchtop.RetainAfterFailedCreate.',
        'ResultsBucket: DeletionPolicy Retain leaves it behind when a first create rolls back: use RetainExceptOnCreate, or give the reason in Metadata.Benchtop.RetainAfterFailedCreate.',
      ]);
    });
    it('refuses RetainExceptOnCreate as UpdateReplacePolicy, which CloudFormation accepts only as DeletionPolicy', () => {
      const t = freshTemplate('platform');
      resourceOf(t, 'ImageRepository').UpdateReplacePolicy = 'RetainExceptOnCreate';
      expect(firstRule(t, statefulRetention)).toEqual(['ImageRepository: UpdateReplacePolicy must be Retain (got RetainExceptOnCreate).']);
    });
    it('fails when a bucket has no UpdateReplacePolicy', () => {
      const t = freshTemplate('platform');
      delete resourceOf(t, 'ResultsBucket').UpdateReplacePolicy;
      expect(firstRule(t, statefulRetention)).toEqual(['ResultsBucket: UpdateReplacePolicy must be Retain (got none).']);
    });
    it('fails when EFS asks for a Snapshot policy, which CloudFormation does not support for it', () => {
      const t = freshTemplate('platform');
      resourceOf(t, 'FileSystem').DeletionPolicy = 'Snapshot';
      expect(firstRule(t, statefulRetention)).toEqual(['FileSystem: DeletionPolicy must be RetainExceptOnCreate (got Snapshot).']);
    });
  });

  describe('retained resources have names a reinstall cannot collide with', () => {
    it('fails on a backup vault named after the stack alone, as the first version had it', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'BackupVault').BackupVaultName = { 'Fn::Sub': 'benchtop-${AWS::StackName}' };
      expect(firstRule(t, retainedNamesUnique)).toEqual(['BackupVault: BackupVaultName is fixed ({"Fn::Sub":"benchtop-${AWS::StackName}"}): leave it out, or make it unique with AWS::StackId.']);
    });
    it('fails on a bucket with a fixed name', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'ResultsBucket').BucketName = 'lab-results';
      expect(firstRule(t, retainedNamesUnique)).toEqual(['ResultsBucket: BucketName is fixed ("lab-results"): leave it out, or make it unique with AWS::StackId.']);
    });
  });

  describe('only the services role reads the admin token', () => {
    const ssmCore = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' };
    const adminToken = 'arn:aws:ssm:us-east-1:123456789012:parameter/benchtop/lab/admin-token';
    it('sees through AmazonSSMManagedInstanceCore, as the first version attached it to the workers and the NAT instance', () => {
      const t = freshTemplate('platform');
      for (const role of ['WorkerRole', 'NatRole']) propsOf(t, role).ManagedPolicyArns = [ssmCore];
      expect(firstRule(t, adminTokenReaders)).toEqual([
        `NatRole: can read the admin token: AWS managed policy AmazonSSMManagedInstanceCore allows ssm:GetParameter on ${adminToken}.`,
        `WorkerRole: can read the admin token: AWS managed policy AmazonSSMManagedInstanceCore allows ssm:GetParameter on ${adminToken}.`,
      ]);
    });
    it('lets the services role read it, with the same managed policy', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'ServicesRole').ManagedPolicyArns = [ssmCore];
      expect(firstRule(t, adminTokenReaders)).toEqual([]);
    });
    it('fails on a path read above the token, whatever the case of the action', () => {
      const t = freshTemplate('platform');
      statements(t, 'WorkerRole').push({ Effect: 'Allow', Action: 'SSM:GetParametersBy*', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/benchtop/*' } });
      expect(firstRule(t, adminTokenReaders)).toEqual(['WorkerRole: can read the admin token: inline policy worker allows ssm:GetParametersByPath on arn:aws:ssm:us-east-1:123456789012:parameter/benchtop/lab.']);
    });
    it('fails on a policy resource attached to the role', () => {
      const t = freshTemplate('platform');
      (propsOf(t, 'WorkerDrainPolicy').PolicyDocument as { Statement: Obj[] }).Statement.push({ Effect: 'Allow', Action: 'ssm:Get*', Resource: '*' });
      expect(firstRule(t, adminTokenReaders)).toEqual([`WorkerRole: can read the admin token: WorkerDrainPolicy allows ssm:GetParameter on ${adminToken}.`]);
    });
    it('an unconditional Deny takes the grant back', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'WorkerRole').ManagedPolicyArns = [ssmCore];
      statements(t, 'WorkerRole').push({ Effect: 'Deny', Action: 'ssm:GetParameter*', Resource: adminToken });
      expect(firstRule(t, adminTokenReaders)).toEqual([]);
    });
    it('fails when the worker may decrypt with any encryption context', () => {
      const t = freshTemplate('platform');
      const key = statements(t, 'WorkerRole').find((s) => s.Sid === 'WorkerTokenKey')!;
      delete ((key.Condition as Obj).StringEquals as Obj)['kms:EncryptionContext:PARAMETER_ARN'];
      expect(firstRule(t, adminTokenReaders)).toEqual(['WorkerRole: can decrypt the admin token: inline policy worker allows kms:Decrypt without limiting kms:EncryptionContext:PARAMETER_ARN to another parameter.']);
    });
    it('fails on a managed policy it cannot see through', () => {
      const t = freshTemplate('platform');
      (propsOf(t, 'BackupRole').ManagedPolicyArns as unknown[]).push({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores' });
      expect(firstRule(t, adminTokenReaders)).toEqual(['BackupRole: attaches service-role/AWSBackupServiceRolePolicyForRestores, which this rule cannot see through: add its statements to templates/validate/aws-managed-policies.ts.']);
    });
  });

  it('log retention: fails on a log group kept forever', () => {
    const t = freshTemplate('platform');
    delete propsOf(t, 'RunsLogGroup').RetentionInDays;
    expect(firstRule(t, logRetention)).toEqual(['RunsLogGroup: RetentionInDays must be set.']);
  });

  describe('no public IPs', () => {
    it('fails when a worker launch template asks for a public address', () => {
      const t = freshTemplate('platform');
      (ltData(t, 'CpuWorkerLaunchTemplate').NetworkInterfaces as Obj[])[0]!.AssociatePublicIpAddress = true;
      expect(firstRule(t, noPublicIps)).toEqual(['CpuWorkerLaunchTemplate: network interfaces must set AssociatePublicIpAddress: false.']);
    });
    it('fails when an instance that is not a NAT has a public address', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'NatInstance').SourceDestCheck = true;
      expect(firstRule(t, noPublicIps)).toEqual(['NatInstance: only a NAT instance (SourceDestCheck: false) may have a public IP.']);
    });
    it('fails on a subnet that maps public IPs on launch', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'PublicSubnet2').MapPublicIpOnLaunch = true;
      expect(firstRule(t, noPublicIps)).toEqual(['PublicSubnet2: MapPublicIpOnLaunch must not be true.']);
    });
  });

  describe('load balancer hardening', () => {
    it('fails on an HTTPS listener with a TLS 1.2 policy', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'EntryHttpsListener').SslPolicy = 'ELBSecurityPolicy-2016-08';
      expect(firstRule(t, loadBalancerHardening)).toEqual([expect.stringMatching(/^EntryHttpsListener: SslPolicy must be a TLS 1.3 policy/)]);
    });
    it('fails when invalid headers are passed through', () => {
      const t = freshTemplate('platform');
      const attrs = propsOf(t, 'EntryLoadBalancer').LoadBalancerAttributes as Obj[];
      attrs.find((a) => a.Key === 'routing.http.drop_invalid_header_fields.enabled')!.Value = 'false';
      expect(firstRule(t, loadBalancerHardening)).toEqual(['EntryLoadBalancer: routing.http.drop_invalid_header_fields.enabled must be true.']);
    });
    it('fails when desync mitigation is set to monitor', () => {
      const t = freshTemplate('platform');
      const attrs = propsOf(t, 'EntryLoadBalancer').LoadBalancerAttributes as Obj[];
      attrs.find((a) => a.Key === 'routing.http.desync_mitigation_mode')!.Value = 'monitor';
      expect(firstRule(t, loadBalancerHardening)).toEqual([expect.stringMatching(/^EntryLoadBalancer: routing.http.desync_mitigation_mode/)]);
    });
    it('fails when public HTTP forwards instead of redirecting', () => {
      const t = freshTemplate('platform');
      propsOf(t, 'EntryHttpRedirectListener').DefaultActions = [{ Type: 'forward', TargetGroupArn: { Ref: 'EntryTargetGroup' } }];
      expect(firstRule(t, loadBalancerHardening)).toEqual(['EntryHttpRedirectListener: an HTTP listener on a public load balancer may only redirect to HTTPS.']);
    });
  });
});

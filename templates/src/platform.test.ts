import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCfnYaml, type CfnValue } from './cfn-yaml.js';
import { walk } from '../../common/templates/intrinsics.js';
import { loadTemplate } from './load-template.js';
import { toCloudFormationParameters } from './parameters.js';
import {
  checkPlatformParameters, ParameterError, PLATFORM_METRICS, platformParameters, renderPlatformTemplate,
  TEMPLATE_BODY_LIMIT_BYTES, TEMPLATE_URL_LIMIT_BYTES,
} from './platform.js';
import { AGENT_BUNDLE_VERSION, agentBundleKey, STACK_VERSION } from './version.js';
import { planMetadata } from '../../common/deploy/plan-summary.js';

const REQUIRED = {
  CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  ArtifactsBucketName: 'benchtop-artifacts-123',
  DomainName: 'bench.lab.example.org',
  ServicesImageId: 'ami-0123456789abcdef0',
  NatImageId: 'ami-0123456789abcdef0',
  CpuWorkerImageId: 'ami-0123456789abcdef1',
  GpuWorkerImageId: 'ami-0123456789abcdef2',
};

const problemsOf = (given: Record<string, string | number>) => checkPlatformParameters(given, { requireAll: true }).problems;

describe('platform parameters', () => {
  it('lists every parameter with a description, a group and a constraint', () => {
    const params = platformParameters();
    expect(params.length).toBeGreaterThan(25);
    for (const p of params) {
      expect(p.description, p.name).not.toBe('');
      expect(p.group, p.name).toBeDefined();
      const constrained = p.allowedValues ?? p.allowedPattern ?? p.minValue ?? (p.type === 'AWS::EC2::Image::Id' || undefined);
      expect(constrained, p.name).toBeDefined();
    }
  });

  it('accepts the required values with defaults for the rest', () => {
    expect(problemsOf(REQUIRED)).toEqual([]);
  });

  it('names unknown parameters', () => {
    expect(problemsOf({ ...REQUIRED, NatMod: 'gateway', GpuMax: 1 })[0]).toMatch(/^Unknown parameters NatMod, GpuMax; the template's parameters are VpcCidr, /);
  });

  it('names missing required parameters', () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^CertificateArn is required/),
      expect.stringMatching(/^DomainName is required/),
      expect.stringMatching(/^ServicesImageId is required/),
      expect.stringMatching(/^NatImageId is required/),
      expect.stringMatching(/^CpuWorkerImageId is required/),
      expect.stringMatching(/^GpuWorkerImageId is required/),
      expect.stringMatching(/^ArtifactsBucketName is required/),
    ]);
  });

  it.each([
    [{ NatMode: 'cheap' }, 'NatMode must be one of gateway, instance, none (got "cheap").'],
    [{ VpcCidr: '10.0.0.0/8' }, 'VpcCidr "10.0.0.0/8" does not match'],
    [{ DataVolumeSize: 4 }, 'DataVolumeSize must be at least 8 (got 4).'],
    [{ GpuWorkerMaxCount: 33 }, 'GpuWorkerMaxCount must be at most 32 (got 33).'],
    [{ CpuWorkerMaxCount: 'four' }, 'CpuWorkerMaxCount must be a number, not "four".'],
    [{ AlarmEmail: 'not-an-address' }, 'It must be empty or an e-mail address'],
    [{ ServicesImageId: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' }, 'ServicesImageId must be an image id such as ami-'],
    [{ DomainName: '' }, 'DomainName "" does not match'],
    [{ LogRetentionDays: 10 }, 'LogRetentionDays must be one of 1, 3, 5, 7, 14, 30'],
  ])('checks %j against its constraint', (given, message) => {
    expect(problemsOf({ ...REQUIRED, ...given })).toEqual([expect.stringContaining(message)]);
  });

  it('anchors AllowedPattern to the whole value, as CloudFormation does', () => {
    expect(problemsOf({ ...REQUIRED, DataVolumeSnapshotId: 'xsnap-0123456789abcdef0' })).toEqual([expect.stringContaining('DataVolumeSnapshotId "xsnap-')]);
    expect(problemsOf({ ...REQUIRED, DataVolumeSnapshotId: 'snap-0123456789abcdef0 ' })).toHaveLength(1);
  });

  it.each([
    [{ ExistingVpcId: 'vpc-0123456789abcdef0', NatMode: 'none' }, 'ExistingPrivateSubnet1 is required with ExistingVpcId'],
    [{ NatMode: 'none' }, 'NatMode "none" needs ExistingVpcId'],
  ])('checks combinations: %j', (given, message) => {
    expect(problemsOf({ ...REQUIRED, ...given })).toContainEqual(expect.stringContaining(message));
  });

  it('gives CloudFormation every value as a string', () => {
    const { values } = checkPlatformParameters({ ...REQUIRED, DataVolumeSize: 50 });
    expect(toCloudFormationParameters(values)).toContainEqual({ ParameterKey: 'DataVolumeSize', ParameterValue: '50' });
  });
});

describe('renderPlatformTemplate', () => {
  it('renders YAML that parses back to the loaded template', () => {
    const body = renderPlatformTemplate(REQUIRED);
    expect(parseCfnYaml(body)).toEqual(loadTemplate('platform'));
    expect(parse(body)).toEqual(loadTemplate('platform'));
  });

  it('renders JSON on request', () => {
    expect(JSON.parse(renderPlatformTemplate(REQUIRED, { format: 'json' }))).toEqual(loadTemplate('platform'));
  });

  it('is too large for TemplateBody but well within TemplateURL', () => {
    for (const format of ['yaml', 'json'] as const) {
      const bytes = Buffer.byteLength(renderPlatformTemplate(REQUIRED, { format }));
      expect(bytes).toBeGreaterThan(TEMPLATE_BODY_LIMIT_BYTES);
      expect(bytes).toBeLessThan(TEMPLATE_URL_LIMIT_BYTES / 4);
    }
  });

  it('throws every problem at once', () => {
    try {
      renderPlatformTemplate({ NatMode: 'x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParameterError);
      expect((e as ParameterError).problems).toHaveLength(8);
    }
  });
});

describe('versions', () => {
  it('the template, its default agent bundle and the code agree on the version', () => {
    const t = loadTemplate('platform') as Record<string, Record<string, Record<string, unknown>>>;
    expect(t.Metadata!.Benchtop!.StackVersion).toBe(STACK_VERSION);
    expect(t.Outputs!.StackVersion!.Value).toBe(STACK_VERSION);
    expect(t.Parameters!.AgentBundleVersion!.Default).toBe(AGENT_BUNDLE_VERSION);
  });

  it('names the bundle the boot scripts download', () => {
    expect(agentBundleKey('1.2.3', 'ab'.repeat(32))).toBe(`agents/1.2.3/benchtop-agent-${'ab'.repeat(32)}.tar.gz`);
  });
});

describe('metric contract', () => {
  it('the template scales and alarms only on metrics the agents publish in the stack namespace', () => {
    const used = new Set<string>();
    walk(loadTemplate('platform'), 'Template', (value: CfnValue) => {
      const v = value as Record<string, unknown>;
      if (v && typeof v === 'object' && typeof v.MetricName === 'string' && JSON.stringify(v.Namespace ?? '').includes('Benchtop/')) used.add(v.MetricName);
    });
    const published = PLATFORM_METRICS.metrics.map((m) => m.name as string);
    // WorkersOnline and RunDuration are for the Monitoring page; no alarm or policy needs them.
    expect([...used].sort()).toEqual(published.filter((m) => m !== 'WorkersOnline' && m !== 'RunDuration').sort());
  });
});

describe('worker group metrics', () => {
  it('collects the desired capacity the Monitoring page draws, for both worker groups', () => {
    const t = loadTemplate('platform') as Record<string, Record<string, { Properties: Record<string, unknown> }>>;
    for (const group of ['CpuWorkerGroup', 'GpuWorkerGroup']) {
      expect(t.Resources![group]!.Properties.MetricsCollection).toEqual([{ Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }]);
    }
  });
});

describe('the plan metadata (Metadata Benchtop.Plan) the plan summary is written from', () => {
  const t = loadTemplate('platform');
  const section = (name: string) => (t[name] ?? {}) as Record<string, unknown>;
  const plan = planMetadata.parse(((t.Metadata as Record<string, Record<string, unknown>>).Benchtop!).Plan);

  it('puts every resource and every parameter in exactly one area', () => {
    const resources = plan.flatMap((a) => a.Resources);
    expect([...resources].sort()).toEqual(Object.keys(section('Resources')).sort());
    const parameters = plan.flatMap((a) => a.Parameters);
    expect([...parameters].sort()).toEqual(Object.keys(section('Parameters')).sort());
  });

  it('says things only with conditions and parameters the template has, about resources of its own area', () => {
    for (const area of plan) {
      for (const say of area.Says) {
        for (const c of [say.If, say.Unless].filter(Boolean)) expect(section('Conditions'), `${area.Area}: ${say.Text}`).toHaveProperty([c!]);
        for (const p of Object.keys({ ...say.IfParam, ...say.UnlessParam })) expect(section('Parameters'), say.Text).toHaveProperty([p]);
        for (const [, name] of say.Text.matchAll(/\{([A-Za-z0-9:]+)\}/g)) if (name !== 'AWS::StackName') expect(section('Parameters'), say.Text).toHaveProperty([name!]);
      }
      for (const id of Object.keys(area.Replacing ?? {})) expect(area.Resources, area.Area).toContain(id);
    }
  });

  it('names the public SSM parameter of every image parameter', () => {
    const images = Object.entries(section('Parameters')).filter(([, d]) => (d as { Type?: string }).Type === 'AWS::EC2::Image::Id').map(([n]) => n);
    expect(images).toHaveLength(4);
    const sources = ((t.Metadata as Record<string, Record<string, Record<string, string>>>).Benchtop!).Images!;
    for (const name of images) expect(sources[name], name).toMatch(/^\/aws\/service\//);
  });
});

describe('backup failures', () => {
  const t = loadTemplate('platform');
  const resources = t.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;

  it('reach the alarm topic through an EventBridge rule on FAILED and ABORTED backup jobs of the vault', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const rule = rules.find((r) => JSON.stringify(r.Properties.EventPattern).includes('Backup Job State Change'))!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['aws.backup'], 'detail-type': ['Backup Job State Change'], detail: { state: ['FAILED', 'ABORTED'], backupVaultName: [{ Ref: 'BackupVault' }] } });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: 'AlarmTopic' } })]);
    const policy = JSON.stringify(resources.AlarmTopicPolicy!.Properties);
    expect(policy).toContain('events.amazonaws.com');
    expect(JSON.stringify(resources.AlarmTopicKey!.Properties)).toContain('events.amazonaws.com');
  });

  it('no longer rely on the BACKUP_JOB_FAILED vault notification, which AWS Backup does not send', () => {
    expect(JSON.stringify(resources.BackupVault!.Properties)).not.toContain('BACKUP_JOB_FAILED');
  });
});

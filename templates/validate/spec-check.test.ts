import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstSpec, loadSpec } from './spec-check.js';
import { freshTemplate, propsOf } from './test-helpers.js';

type Spec = Awaited<ReturnType<typeof loadSpec>>;
let spec: Spec;

beforeAll(async () => {
  spec = await loadSpec();
});

describe('templates against the AWS resource specification', () => {
  it.each(['bootstrap', 'platform'] as const)('%s uses only known types, properties and attributes, with every required property', (name) => {
    expect(checkAgainstSpec(spec, freshTemplate(name))).toEqual([]);
  });

  it('reports a resource type that does not exist', () => {
    const t = freshTemplate('platform');
    (t.Resources as Record<string, { Type: string }>).DataVolume!.Type = 'AWS::EC2::Volumes';
    expect(checkAgainstSpec(spec, t)).toEqual([expect.stringContaining('AWS::EC2::Volumes is not a CloudFormation resource type')]);
  });

  it('reports a misspelt top-level property', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'DataVolume').Encryption = true;
    expect(checkAgainstSpec(spec, t)).toEqual([expect.stringContaining('DataVolume.Properties: Encryption is not a property')]);
  });

  it('reports a misspelt property inside a nested property type', () => {
    const t = freshTemplate('platform');
    const data = propsOf(t, 'ServicesLaunchTemplate').LaunchTemplateData as Record<string, Record<string, unknown>>;
    data.MetadataOptions!.HttpToken = 'required';
    expect(checkAgainstSpec(spec, t)).toEqual([expect.stringContaining('LaunchTemplateData.MetadataOptions: HttpToken is not a property')]);
  });

  it('reports a missing required property', () => {
    const t = freshTemplate('platform');
    delete propsOf(t, 'MountTarget1').SubnetId;
    expect(checkAgainstSpec(spec, t)).toEqual([expect.stringContaining('MountTarget1.Properties: required property SubnetId is missing')]);
  });

  it('checks both branches of an Fn::If', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'DataVolume').SnapshotId = { 'Fn::If': ['RestoreDataVolume', { Ref: 'DataVolumeSnapshotId' }, { Ref: 'AWS::NoValue' }] };
    const lb = propsOf(t, 'EntryLoadBalancer');
    lb.SubnetMappings = { 'Fn::If': ['InternetFacing', [{ Subnet: 'subnet-1' }], []] };
    expect(checkAgainstSpec(spec, t)).toEqual([
      expect.stringContaining('SubnetMappings(if)[0]: required property SubnetId is missing'),
      expect.stringContaining('SubnetMappings(if)[0]: Subnet is not a property'),
    ]);
  });

  it('reports an Fn::GetAtt attribute the resource type does not have', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'ServicesRecord').AliasTarget = { DNSName: { 'Fn::GetAtt': ['InternalLoadBalancer', 'DnsName'] }, HostedZoneId: 'Z1' };
    expect(checkAgainstSpec(spec, t)).toEqual([expect.stringContaining('has no attribute DnsName')]);
  });

  it('reports an attribute named in an Fn::Sub placeholder that does not exist', () => {
    const t = freshTemplate('platform');
    (t.Outputs as Record<string, { Value: unknown }>).Url!.Value = { 'Fn::Sub': 'https://${EntryLoadBalancer.DnsName}' };
    expect(checkAgainstSpec(spec, t)).toEqual([expect.stringContaining('has no attribute DnsName (in Fn::Sub)')]);
  });
});

import { describe, expect, it } from 'vitest';
import type { CfnObject } from './cfn-value.js';
import { evaluateConditions, materialize } from './conditions.js';
import { loadTemplate } from '../../templates/src/load-template.js';

const platform = loadTemplate('platform');
const resources = (t: CfnObject) => Object.keys(t.Resources as CfnObject);

describe('condition evaluation', () => {
  it('takes defaults for parameters not given', () => {
    const c = evaluateConditions(platform, { parameters: {}, region: 'us-east-1' });
    expect(c.get('CreateVpc')).toBe(true);
    expect(c.get('UseNatInstance')).toBe(true);
    expect(c.get('UseNatGateway')).toBe(false);
    expect(c.get('HasGpuWorkers')).toBe(false);
    expect(c.get('ElbLogsFromAccount')).toBe(true);
  });

  it('follows nested conditions and pseudo parameters', () => {
    const c = evaluateConditions(platform, { parameters: { ExistingVpcId: 'vpc-0123456789abcdef0', NatMode: 'gateway' }, region: 'ap-southeast-4' });
    expect(c.get('CreateVpc')).toBe(false);
    expect(c.get('UseNatGateway')).toBe(false);
    expect(c.get('ElbLogsFromAccount')).toBe(false);
  });

  it('drops the resources of false conditions and takes the chosen Fn::If branch', () => {
    const t = materialize(platform, { parameters: { NatMode: 'gateway', GpuWorkerMaxCount: '1' }, region: 'us-east-1' });
    expect(resources(t)).toEqual(expect.arrayContaining(['NatGateway', 'GpuWorkerGroup']));
    expect(resources(t)).not.toContain('NatInstance');
    const volume = (t.Resources as Record<string, CfnObject>).DataVolume!.Properties as CfnObject;
    expect(volume.SnapshotId).toBeUndefined();
    expect(volume.AvailabilityZone).toEqual({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
  });

  it('names a condition that does not exist', () => {
    const t = { Conditions: { A: { Condition: 'B' } } };
    expect(() => evaluateConditions(t, { parameters: {}, region: 'us-east-1' })).toThrow('Condition B is not defined.');
  });

  it('refuses functions that conditions may not use', () => {
    const t = { Conditions: { A: { 'Fn::Equals': [{ 'Fn::Sub': 'x' }, 'x'] } } };
    expect(() => evaluateConditions(t, { parameters: {}, region: 'us-east-1' })).toThrow('Fn::Sub is not allowed in a condition.');
  });
});

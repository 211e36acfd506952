import { describe, expect, it } from 'vitest';
import { materialize } from './conditions.js';
import { checkParameterValues } from '../../templates/src/parameters.js';
import { checkMaterializedReferences, checkReferences } from './references.js';
import { freshTemplate, propsOf, resourceOf, SCENARIOS } from '../../templates/validate/test-helpers.js';

describe('names a template uses are defined', () => {
  it.each(['bootstrap', 'platform'] as const)('%s defines every Ref, Fn::Sub placeholder, GetAtt target, DependsOn and condition, and uses every condition', (name) => {
    expect(checkReferences(freshTemplate(name))).toEqual([]);
  });

  it('reports a Ref to nothing', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'DataVolume').Size = { Ref: 'DataVolumeSizeGb' };
    expect(checkReferences(t)).toEqual([expect.stringContaining('Ref "DataVolumeSizeGb" is not a parameter')]);
  });

  it('reports an Fn::Sub placeholder that is not defined, but not a ${!Literal}', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'ServicesLogGroup').LogGroupName = { 'Fn::Sub': '/benchtop/${StackName}/${!literal}' };
    expect(checkReferences(t)).toEqual([expect.stringContaining('placeholder ${StackName} is not defined')]);
  });

  it('accepts Fn::Sub placeholders given in its variable map', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'ServicesLogGroup').LogGroupName = { 'Fn::Sub': ['/benchtop/${Name}', { Name: 'x' }] };
    expect(checkReferences(t)).toEqual([]);
  });

  it('reports an Fn::GetAtt of a resource that does not exist', () => {
    const t = freshTemplate('platform');
    propsOf(t, 'BackupSelection').BackupPlanId = { 'Fn::GetAtt': ['BackupPlans', 'BackupPlanId'] };
    expect(checkReferences(t)).toEqual([expect.stringContaining('Fn::GetAtt target "BackupPlans" is not a resource')]);
  });

  it('reports an undefined condition and a condition nobody uses', () => {
    const t = freshTemplate('platform');
    resourceOf(t, 'MonthlyBudget').Condition = 'HasBudgets';
    (t.Conditions as Record<string, unknown>).HasNobody = { 'Fn::Equals': ['a', 'b'] };
    const problems = checkReferences(t);
    expect(problems).toContain('Resources.MonthlyBudget: condition HasBudgets is not defined.');
    expect(problems).toContain('Conditions.HasNobody is defined but never used.');
  });

  it('reports a DependsOn on a resource that does not exist', () => {
    const t = freshTemplate('platform');
    resourceOf(t, 'EntryLoadBalancer').DependsOn = 'LogBucketPolicy';
    expect(checkReferences(t)).toEqual([expect.stringContaining('DependsOn "LogBucketPolicy" is not a resource')]);
  });

  it.each(['bootstrap', 'platform'] as const)('%s parameter defaults satisfy their own constraints', (name) => {
    const t = freshTemplate(name);
    expect(checkParameterValues(t, {}, { requireAll: false }).problems).toEqual([]);
  });

  it('a default that breaks its own constraint is caught', () => {
    const t = freshTemplate('platform');
    ((t.Parameters as Record<string, Record<string, unknown>>).BackupRetentionDays!).Default = 0;
    expect(checkParameterValues(t, {}, { requireAll: false }).problems).toEqual(['BackupRetentionDays must be at least 1 (got 0).']);
  });

  describe.each(SCENARIOS)('deployed as $name', ({ parameters }) => {
    it('refers only to resources that exist in that deployment', () => {
      const t = materialize(freshTemplate('platform'), { parameters, region: 'eu-west-1' });
      expect(checkMaterializedReferences(t)).toEqual([]);
    });
  });

  it('catches an unconditional reference to a conditional resource', () => {
    const t = freshTemplate('platform');
    (t.Outputs as Record<string, unknown>).GpuWorkerGroupName = { Value: { Ref: 'GpuWorkerGroup' } };
    const deployed = materialize(t, { parameters: {}, region: 'us-east-1' });
    expect(checkMaterializedReferences(deployed)).toEqual([expect.stringContaining('Ref "GpuWorkerGroup"')]);
  });
});

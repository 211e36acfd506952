import { describe, expect, it } from 'vitest';
import type { CfnObject } from './cfn-value.js';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js';
import { coversAction, coversResource, firstGrant, resolvedText, roleStatements, type SourcedStatement } from './iam-statements.js';
import { freshTemplate } from '../../templates/validate/test-helpers.js';

const role = (properties: CfnObject) => ({ id: 'R', type: 'AWS::IAM::Role', resource: { Type: 'AWS::IAM::Role', Properties: properties }, properties });

describe('IAM statements of a role', () => {
  it('resolves pseudo parameters, Sub variables and SSM parameter names the way the rules compare ARNs', () => {
    const t = freshTemplate('platform');
    expect(resolvedText(t, { 'Fn::Sub': ['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${P}', { P: { Ref: 'AdminTokenParameter' } }] }))
      .toBe('arn:aws:ssm:us-east-1:123456789012:parameter/benchtop/lab/admin-token');
    expect(resolvedText(t, { 'Fn::GetAtt': ['TokenKey', 'Arn'] })).toBeUndefined();
  });

  it('gathers inline, attached and AWS managed statements, and names the managed policies it does not know', () => {
    const t = freshTemplate('platform');
    (t.Resources as CfnObject).Extra = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'x', Roles: [{ Ref: 'R' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } } };
    const r = role({
      Policies: [{ PolicyName: 'own', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] } }],
      ManagedPolicyArns: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' },
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ],
    });
    const { statements, unknownManagedPolicies } = roleStatements(t, r);
    expect(statements.map((s) => s.from)).toEqual([
      'inline policy own',
      ...AWS_MANAGED_POLICIES.AmazonSSMManagedInstanceCore!.statements.map(() => 'AWS managed policy AmazonSSMManagedInstanceCore'),
      'Extra',
    ]);
    expect(unknownManagedPolicies).toEqual(['ReadOnlyAccess']);
  });

  it('matches actions without case and resources with case, with wildcards, NotAction and NotResource', () => {
    const t = freshTemplate('platform');
    expect(coversAction(t, { Action: 'SSM:getparam*' }, 'ssm:GetParameter')).toBe(true);
    expect(coversAction(t, { NotAction: 'ssm:*' }, 'ssm:GetParameter')).toBe(false);
    expect(coversAction(t, { NotAction: 'ec2:*' }, 'ssm:GetParameter')).toBe(true);
    expect(coversResource(t, { Resource: 'arn:aws:ssm:*:*:parameter/benchtop/?ab/*' }, 'arn:aws:ssm:us-east-1:1:parameter/benchtop/lab/admin-token')).toBe(true);
    expect(coversResource(t, { Resource: 'arn:aws:ssm:*:*:parameter/Benchtop/*' }, 'arn:aws:ssm:us-east-1:1:parameter/benchtop/lab')).toBe(false);
    expect(coversResource(t, { NotResource: 'arn:aws:s3:::*' }, 'arn:aws:ssm:us-east-1:1:parameter/x')).toBe(true);
  });

  it('a conditional Deny does not take a grant back (its condition may not hold)', () => {
    const t = freshTemplate('platform');
    const statements: SourcedStatement[] = [
      { statement: { Effect: 'Allow', Action: 'ssm:*', Resource: '*' }, from: 'a' },
      { statement: { Effect: 'Deny', Action: 'ssm:*', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'true' } } }, from: 'b' },
    ];
    expect(firstGrant(t, statements, ['ssm:GetParameter'], ['arn:aws:ssm:us-east-1:1:parameter/x'])?.grant.from).toBe('a');
  });
});

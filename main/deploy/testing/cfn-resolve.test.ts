import { describe, expect, it } from 'vitest';
import type { CfnObject } from '../../../common/templates/cfn-value.js';
import { launchTemplateUserData, resolveIntrinsics, type ResolveContext } from './cfn-resolve.js';

const template: CfnObject = {
  Parameters: { Size: { Type: 'Number', Default: 20 }, Name: { Type: 'String' } },
  Resources: {
    Repo: { Type: 'AWS::ECR::Repository' },
    Launch: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Sub': ["#!/bin/bash\nREPO='${REPO}'\necho ${!HOME} ${AWS::Region} ${Size}", { REPO: { 'Fn::GetAtt': ['Repo', 'RepositoryUri'] } }] } } } } },
  },
};
const context: ResolveContext = { stackName: 'lab', stackId: 'arn:stack/lab/1', region: 'eu-west-1', account: '123456789012', parameters: { Name: 'x' }, physicalId: (id) => (id === 'Repo' || id === 'Launch' ? `${id.toLowerCase()}-lab` : undefined) };

describe('resolveIntrinsics', () => {
  it('decodes user data with its variables, pseudo parameters, defaults, and ${!…} left to bash', () => {
    expect(launchTemplateUserData(template, context, 'Launch')).toBe("#!/bin/bash\nREPO='123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo-lab'\necho ${HOME} eu-west-1 20");
  });

  it('refuses a reference to a resource the stack did not create, and an unknown function', () => {
    expect(() => resolveIntrinsics(template, context, { Ref: 'Missing' })).toThrow(/Missing is not a resource/);
    expect(() => resolveIntrinsics(template, context, { 'Fn::ImportValue': 'x' })).toThrow(/does not know Fn::ImportValue/);
  });
});

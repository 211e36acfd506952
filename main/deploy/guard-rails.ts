import { SetStackPolicyCommand, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import type { DeployClients } from './deploy-clients.js';
import { STATEFUL_TYPES } from '../../common/stateful-resources.js';

/** Every update is allowed except replacing or deleting a data resource. */
export const DATA_STACK_POLICY = {
  Statement: [
    { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' },
    {
      Effect: 'Deny',
      Action: ['Update:Replace', 'Update:Delete'],
      Principal: '*',
      Resource: '*',
      Condition: { StringEquals: { ResourceType: [...STATEFUL_TYPES] } },
    },
  ],
};

/**
 * Used only for the one update the admin confirmed by typing the stack name. ExecuteChangeSet
 * takes no "policy during update" (UpdateStack does), so the policy is swapped and restored.
 */
export const ALLOW_ALL_STACK_POLICY = { Statement: [{ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' }] };

export async function protectStack(c: DeployClients, stackName: string): Promise<void> {
  await c.cfn.send(new UpdateTerminationProtectionCommand({ StackName: stackName, EnableTerminationProtection: true }));
  await setPolicy(c, stackName, DATA_STACK_POLICY);
}

export async function setPolicy(c: DeployClients, stackName: string, policy: object): Promise<void> {
  await c.cfn.send(new SetStackPolicyCommand({ StackName: stackName, StackPolicyBody: JSON.stringify(policy) }));
}

export async function setTerminationProtection(c: DeployClients, stackName: string, on: boolean): Promise<void> {
  await c.cfn.send(new UpdateTerminationProtectionCommand({ StackName: stackName, EnableTerminationProtection: on }));
}

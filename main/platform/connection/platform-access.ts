import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsTarget, createAwsClient } from '../../../lib/aws/client-factory.js';
import { errorName, errorText, isStackMissing } from '../../../lib/aws/error-meaning.js';

/** The two AWS clients that read a deployment's platform address and admin token, with the admin's credentials. */
export interface PlatformAccessClients {
  cfn: CloudFormationClient;
  ssm: SSMClient;
  sts: STSClient;
}

export function createPlatformAccessClients(target: AwsTarget): PlatformAccessClients {
  return { cfn: createAwsClient(CloudFormationClient, target), ssm: createAwsClient(SSMClient, target), sts: createAwsClient(STSClient, target) };
}

/** The account the profile signs in to, for an entry saved before deployments were keyed by account. */
export async function accountOf(c: PlatformAccessClients): Promise<string | undefined> {
  return (await c.sts.send(new GetCallerIdentityCommand({})))?.Account;
}

/** What the stack says about its platform: where it answers and its admin token, or why not yet. */
export type PlatformAccess =
  | { ready: true; url: string; token: string }
  | { ready: false; waiting: boolean; message: string; fix?: string };

// Stack statuses in which the platform's outputs and token are the ones of a finished operation.
const SETTLED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'IMPORT_COMPLETE']);

const output = (stack: Stack, key: string) => stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;

/**
 * Reads the platform's URL (the stack's `Url` output) and the admin token the services agent keeps
 * in SSM under the stack's prefix (`TokenParameterPrefix` + "admin-token", a SecureString). The
 * stack creates that name as a String placeholder ("pending") and the agent replaces it on its first
 * start, so a String there means "not yet", not a token.
 */
export async function readPlatformAccess(c: PlatformAccessClients, stackName: string, region: string): Promise<PlatformAccess> {
  let stack: Stack | undefined;
  try {
    stack = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (e) {
    if (!isStackMissing(e)) throw e;
  }
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return { ready: false, waiting: false, message: `There is no stack ${stackName} in ${region}, so there is no platform to connect.` };
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!SETTLED.has(status)) return { ready: false, waiting: status.endsWith('_IN_PROGRESS'), message: `${stackName} is ${status}: the platform is connected once the stack is installed.` };
  const url = output(stack, 'Url');
  if (!url) return { ready: false, waiting: false, message: `${stackName} has no Url output: it was not made by a Benchtop template.` };
  const name = `${output(stack, 'TokenParameterPrefix') ?? `/benchtop/${stackName}/`}admin-token`;
  try {
    const parameter = (await c.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter;
    if (parameter?.Type !== 'SecureString' || !parameter.Value) {
      return { ready: false, waiting: true, message: `The services agent of ${stackName} has not stored its admin token yet (${name}); it does on its first start.`, fix: 'Connect again in a minute or two.' };
    }
    return { ready: true, url, token: parameter.Value };
  } catch (e) {
    const kind = errorName(e);
    if (kind === 'ParameterNotFound') return { ready: false, waiting: true, message: `The services agent of ${stackName} has not stored its admin token yet (${name} does not exist).`, fix: 'Connect again in a minute or two.' };
    if (kind === 'AccessDeniedException' || kind === 'AccessDenied') {
      return { ready: false, waiting: false, message: `Your AWS identity may not read the admin token ${name}: ${errorText(e)}`, fix: 'Use the profile of the admin who installed the stack (only it and the services instance may decrypt the token).' };
    }
    throw e;
  }
}

import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDeployClients } from './deploy-clients.js';
import { FAST, missing } from './testing/cfn-fixtures.js';
import { type WatchMessage, watchStack } from './watch-stack.js';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => cfn.reset());

describe('watchStack', () => {
  it('re-attaching to a stack whose delete already finished ends at once as deleted, without reading events by name', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing('lab-dev'));
    cfn.on(DescribeStackEventsCommand).rejects(missing('lab-dev'));
    const messages: WatchMessage[] = [];
    const result = await watchStack(createDeployClients({ region: 'eu-west-1' }), { stackName: 'lab-dev', onMessage: (m) => messages.push(m) }, FAST);
    expect(result).toEqual({ status: 'DELETE_COMPLETE', ok: true, events: 0 });
    expect(messages.at(-1)).toEqual({ type: 'final', status: 'DELETE_COMPLETE', ok: true });
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
  });
});

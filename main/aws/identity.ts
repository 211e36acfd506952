import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsIdentity } from '../../common/api/aws.contract.js';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';

/** Who a profile signs in as. GetCallerIdentity needs no IAM permission, so it tests the credentials alone. */
export async function getCallerIdentity(target: AwsTarget, env: NodeJS.ProcessEnv = process.env): Promise<AwsIdentity> {
  const sts = createAwsClient(STSClient, target, env);
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn || !out.UserId) {
      throw new Error('STS GetCallerIdentity answered without Account, Arn or UserId');
    }
    return { account: out.Account, arn: out.Arn, userId: out.UserId };
  } finally {
    sts.destroy();
  }
}

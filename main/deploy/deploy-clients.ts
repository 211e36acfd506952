import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { type AwsTarget, createAwsClient } from '../../lib/aws/client-factory.js';

/** The AWS clients the deploy engine uses, all made by main/aws for one region and profile. */
export interface DeployClients {
  target: AwsTarget;
  cfn: CloudFormationClient;
  s3: S3Client;
  ec2: EC2Client;
  sts: STSClient;
  quotas: ServiceQuotasClient;
  acm: ACMClient;
  /** Public parameters of the machine images, resolved when a plan is made. */
  ssm: SSMClient;
}

export function createDeployClients(target: AwsTarget): DeployClients {
  return {
    target,
    cfn: createAwsClient(CloudFormationClient, target),
    s3: createAwsClient(S3Client, target),
    ec2: createAwsClient(EC2Client, target),
    sts: createAwsClient(STSClient, target),
    quotas: createAwsClient(ServiceQuotasClient, target),
    acm: createAwsClient(ACMClient, target),
    ssm: createAwsClient(SSMClient, target),
  };
}

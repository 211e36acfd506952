import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createAwsClient } from '../../lib/aws/client-factory.js';
import { errorName } from '../../lib/aws/error-meaning.js';
import { S3BackupCopies, type BackupCopies } from './backup-copies.js';
import { BudgetsClient } from '@aws-sdk/client-budgets';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsBudgetSource } from './aws-budget-source.js';
import { AwsPriceList } from './price-list.js';
import { CloudWatchLogsSink } from './cloudwatch-logs-sink.js';
import { CloudWatchMetricsPublisher } from './cloudwatch-metrics.js';
import type { Services } from './context.js';
import { S3ObjectStore } from './s3-object-store.js';
import { secretsKeyParameter, ssmSecretsKey } from './secrets-key.js';
import type { StartServicesOptions } from './start-services.js';

/**
 * On AWS the instance's boot script sets these; in the sandbox none is set and every adapter stays
 * local (folder objects, no log copy, no metric publication, no SSM).
 */
export interface AwsSettings {
  region: string;
  bucket?: string;
  bucketPrefix?: string;
  logGroup?: string;
  metricsNamespace?: string;
  backupBucket?: string;
  /** SSM Parameter Store path where the admin and worker tokens are published, e.g. "/benchtop/my-lab/". */
  ssmPrefix?: string;
  /** The stack's token key (TokenKey): without it SSM would use aws/ssm, which every role that may read parameters may decrypt. */
  ssmKeyId?: string;
  /** The stack's AWS Budgets budget: its hard stop pauses leasing (read with budgets:ViewBudget). */
  budgetName?: string;
}

export function awsSettingsFromEnv(env: NodeJS.ProcessEnv): AwsSettings | null {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const pick = (name: string) => env[name]?.trim() || undefined;
  const settings = {
    bucket: pick('BENCHTOP_BUCKET'),
    bucketPrefix: pick('BENCHTOP_BUCKET_PREFIX'),
    logGroup: pick('BENCHTOP_LOG_GROUP'),
    metricsNamespace: pick('BENCHTOP_METRICS_NAMESPACE'),
    backupBucket: pick('BENCHTOP_BACKUP_BUCKET'),
    ssmPrefix: pick('BENCHTOP_SSM_PREFIX'),
    ssmKeyId: pick('BENCHTOP_SSM_KEY_ID'),
    budgetName: pick('BENCHTOP_BUDGET_NAME'),
  };
  if (!Object.values(settings).some(Boolean)) return null;
  if (!region) throw new Error('BENCHTOP_* AWS settings need AWS_REGION to be set');
  if (settings.ssmPrefix && !settings.ssmKeyId) throw new Error('BENCHTOP_SSM_PREFIX needs BENCHTOP_SSM_KEY_ID, the KMS key the stack made for the tokens');
  return { region, ...settings };
}

/**
 * Publishes the bootstrap tokens as SecureString parameters under the stack's key, read by the
 * desktop app (admin) and workers. The stack creates both names (so deleting it deletes them), but
 * CloudFormation can only make String parameters, and Parameter Store refuses to change a
 * parameter's type in place (HierarchyTypeMismatchException): the first time, the placeholder is
 * deleted and the name created again as a SecureString.
 */
export async function publishTokens(ssm: SSMClient, prefix: string, keyId: string, tokens: { admin: string; worker: string }): Promise<void> {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  for (const [name, value] of Object.entries(tokens)) {
    const parameter = `${base}${name}-token`;
    const put = () => ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'SecureString', KeyId: keyId, Overwrite: true }));
    try {
      await put();
    } catch (error) {
      if (errorName(error) !== 'HierarchyTypeMismatchException') throw error;
      await ssm.send(new DeleteParameterCommand({ Name: parameter }));
      await put();
    }
  }
}

/** The StartServicesOptions that put the AWS adapters in place, plus what to do once tokens exist. */
export function awsOptions(settings: AwsSettings, dataDir: string): { options: Partial<StartServicesOptions>; backupCopies?: BackupCopies; afterStart(tokens: { admin: string; worker: string }): Promise<void> } {
  const target = { region: settings.region };
  // Workers' instance types are priced in this region, by the Price List (pricing:GetProducts) when it answers.
  const options: Partial<StartServicesOptions> = {
    cost: {
      region: settings.region,
      priceList: new AwsPriceList(),
      ...(settings.budgetName ? { budgetSource: new AwsBudgetSource(createAwsClient(BudgetsClient, target), createAwsClient(STSClient, target), settings.budgetName) } : {}),
    },
  };
  if (settings.ssmPrefix && settings.ssmKeyId) {
    // The key that seals secret run parameters lives beside the tokens, never on the data volume.
    const name = secretsKeyParameter(settings.ssmPrefix);
    const keyId = settings.ssmKeyId;
    options.secretsKey = { place: `the SSM parameter ${name}`, load: () => ssmSecretsKey(createAwsClient(SSMClient, target), name, keyId) };
  }
  if (settings.bucket) {
    options.objectStore = new S3ObjectStore(createAwsClient(S3Client, target), settings.bucket, settings.bucketPrefix ?? '', join(dataDir, 'tmp'));
  }
  const stoppers: Array<() => Promise<void> | void> = [];
  let sink: CloudWatchLogsSink | undefined;
  if (settings.logGroup) {
    sink = new CloudWatchLogsSink(createAwsClient(CloudWatchLogsClient, target), { logGroup: settings.logGroup, onError: (e) => process.stderr.write(`cloudwatch logs: ${String(e)}\n`) });
    options.logSink = sink;
  }
  const namespace = settings.metricsNamespace;
  options.extend = (services: Services) => {
    if (sink) {
      sink.start();
      stoppers.push(() => sink!.stop());
    }
    if (namespace) {
      const publisher = new CloudWatchMetricsPublisher(createAwsClient(CloudWatchClient, target), services.snapshot, {
        namespace,
        onError: (e) => process.stderr.write(`cloudwatch metrics: ${String(e)}\n`),
      }, services.durations);
      publisher.start();
      stoppers.push(() => publisher.stop());
    }
    return { stop: async () => { for (const stop of stoppers) await stop(); } };
  };
  return {
    options,
    ...(settings.backupBucket ? { backupCopies: new S3BackupCopies(createAwsClient(S3Client, target), settings.backupBucket) } : {}),
    async afterStart(tokens) {
      if (settings.ssmPrefix && settings.ssmKeyId) await publishTokens(createAwsClient(SSMClient, target), settings.ssmPrefix, settings.ssmKeyId, tokens);
    },
  };
}

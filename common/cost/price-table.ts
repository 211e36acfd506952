import { z } from 'zod';

// Public on-demand list prices in USD, Linux, no free tier, no Savings Plans or Spot. Compiled
// from the AWS pricing pages named in SOURCES as published in 2025 (this build has no internet,
// so they were not fetched live); check a figure with the AWS Price List API before you rely on
// it. Update PRICES_AS_OF whenever you change a number.

export const PRICES_AS_OF = '2025-06-01';

export const SOURCES = [
  'https://aws.amazon.com/ec2/pricing/on-demand/',
  'https://aws.amazon.com/ebs/pricing/',
  'https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4 addresses)',
  'https://aws.amazon.com/elasticloadbalancing/pricing/',
  'https://aws.amazon.com/efs/pricing/',
  'https://aws.amazon.com/s3/pricing/',
  'https://aws.amazon.com/cloudwatch/pricing/',
  'https://aws.amazon.com/backup/pricing/',
  'https://aws.amazon.com/route53/pricing/',
  'https://aws.amazon.com/ecr/pricing/',
  'https://aws.amazon.com/kms/pricing/',
];

export const RegionPricesSchema = z.object({
  /** USD per instance-hour. */
  ec2Hourly: z.record(z.string(), z.number().positive()),
  ebsGp3GbMonth: z.number().positive(),
  ebsSnapshotGbMonth: z.number().positive(),
  natGatewayHour: z.number().positive(),
  natGatewayGb: z.number().positive(),
  albHour: z.number().positive(),
  albLcuHour: z.number().positive(),
  efsStandardGbMonth: z.number().positive(),
  s3StandardGbMonth: z.number().positive(),
  cloudwatchAlarmMetricMonth: z.number().positive(),
  cloudwatchCustomMetricMonth: z.number().positive(),
  logsIngestGb: z.number().positive(),
  logsStorageGbMonth: z.number().positive(),
  backupEbsGbMonth: z.number().positive(),
  route53HostedZoneMonth: z.number().positive(),
  publicIpv4Hour: z.number().positive(),
  ecrGbMonth: z.number().positive(),
  kmsKeyMonth: z.number().positive(),
});
export type RegionPrices = z.infer<typeof RegionPricesSchema>;

const US_EC2 = {
  't4g.nano': 0.0042, 't4g.micro': 0.0084, 't4g.small': 0.0168, 't4g.medium': 0.0336, 't4g.large': 0.0672,
  'm7g.medium': 0.0408, 'm7g.large': 0.0816,
  'c6i.large': 0.085, 'c6i.xlarge': 0.17, 'c6i.2xlarge': 0.34, 'c6i.4xlarge': 0.68,
  'c7i.large': 0.08925, 'c7i.xlarge': 0.1785, 'c7i.2xlarge': 0.357,
  'm6i.large': 0.096, 'm6i.xlarge': 0.192, 'm6i.2xlarge': 0.384,
  'm7i.xlarge': 0.2016, 'm7i.2xlarge': 0.4032,
  'r6i.xlarge': 0.252, 'r6i.2xlarge': 0.504,
  'g4dn.xlarge': 0.526, 'g4dn.2xlarge': 0.752,
  'g5.xlarge': 1.006, 'g5.2xlarge': 1.212,
  'g6.xlarge': 0.8048, 'g6.2xlarge': 0.9776,
};

const US_SERVICES = {
  ebsGp3GbMonth: 0.08, ebsSnapshotGbMonth: 0.05, natGatewayHour: 0.045, natGatewayGb: 0.045,
  albHour: 0.0225, albLcuHour: 0.008, efsStandardGbMonth: 0.3, s3StandardGbMonth: 0.023,
  cloudwatchAlarmMetricMonth: 0.1, cloudwatchCustomMetricMonth: 0.3, logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03, backupEbsGbMonth: 0.05, route53HostedZoneMonth: 0.5,
  publicIpv4Hour: 0.005, ecrGbMonth: 0.1, kmsKeyMonth: 1,
};

export const PRICES: Record<string, RegionPrices> = {
  'us-east-1': { ec2Hourly: US_EC2, ...US_SERVICES },
  'us-west-2': { ec2Hourly: US_EC2, ...US_SERVICES },
  'eu-west-1': {
    ec2Hourly: {
      't4g.nano': 0.0046, 't4g.micro': 0.0092, 't4g.small': 0.0184, 't4g.medium': 0.0368, 't4g.large': 0.0736,
      'm7g.medium': 0.0446, 'm7g.large': 0.0892,
      'c6i.large': 0.096, 'c6i.xlarge': 0.192, 'c6i.2xlarge': 0.384, 'c6i.4xlarge': 0.768,
      'c7i.large': 0.1008, 'c7i.xlarge': 0.2016, 'c7i.2xlarge': 0.4032,
      'm6i.large': 0.107, 'm6i.xlarge': 0.214, 'm6i.2xlarge': 0.428,
      'm7i.xlarge': 0.2247, 'm7i.2xlarge': 0.4494,
      'r6i.xlarge': 0.282, 'r6i.2xlarge': 0.564,
      'g4dn.xlarge': 0.587, 'g4dn.2xlarge': 0.838,
      'g5.xlarge': 1.123, 'g5.2xlarge': 1.353,
      'g6.xlarge': 0.8979, 'g6.2xlarge': 1.0907,
    },
    ebsGp3GbMonth: 0.088, ebsSnapshotGbMonth: 0.05, natGatewayHour: 0.048, natGatewayGb: 0.048,
    albHour: 0.0252, albLcuHour: 0.008, efsStandardGbMonth: 0.33, s3StandardGbMonth: 0.023,
    cloudwatchAlarmMetricMonth: 0.1, cloudwatchCustomMetricMonth: 0.3, logsIngestGb: 0.57,
    logsStorageGbMonth: 0.03, backupEbsGbMonth: 0.05, route53HostedZoneMonth: 0.5,
    publicIpv4Hour: 0.005, ecrGbMonth: 0.1, kmsKeyMonth: 1,
  },
  'eu-central-1': {
    ec2Hourly: {
      't4g.nano': 0.0048, 't4g.micro': 0.0096, 't4g.small': 0.0192, 't4g.medium': 0.0384, 't4g.large': 0.0768,
      'm7g.medium': 0.0472, 'm7g.large': 0.0944,
      'c6i.large': 0.097, 'c6i.xlarge': 0.194, 'c6i.2xlarge': 0.388, 'c6i.4xlarge': 0.776,
      'c7i.large': 0.10185, 'c7i.xlarge': 0.2037, 'c7i.2xlarge': 0.4074,
      'm6i.large': 0.115, 'm6i.xlarge': 0.23, 'm6i.2xlarge': 0.46,
      'm7i.xlarge': 0.2415, 'm7i.2xlarge': 0.483,
      'r6i.xlarge': 0.304, 'r6i.2xlarge': 0.608,
      'g4dn.xlarge': 0.658, 'g4dn.2xlarge': 0.94,
      'g5.xlarge': 1.258, 'g5.2xlarge': 1.516,
      'g6.xlarge': 1.0055, 'g6.2xlarge': 1.2213,
    },
    ebsGp3GbMonth: 0.0952, ebsSnapshotGbMonth: 0.054, natGatewayHour: 0.052, natGatewayGb: 0.052,
    albHour: 0.027, albLcuHour: 0.008, efsStandardGbMonth: 0.36, s3StandardGbMonth: 0.0245,
    cloudwatchAlarmMetricMonth: 0.1, cloudwatchCustomMetricMonth: 0.3, logsIngestGb: 0.63,
    logsStorageGbMonth: 0.0324, backupEbsGbMonth: 0.054, route53HostedZoneMonth: 0.5,
    publicIpv4Hour: 0.005, ecrGbMonth: 0.1, kmsKeyMonth: 1,
  },
};

for (const [region, prices] of Object.entries(PRICES)) {
  const parsed = RegionPricesSchema.safeParse(prices);
  if (!parsed.success) throw new Error(`Price table for ${region} is malformed: ${parsed.error.message}`);
}

export const PRICED_REGIONS = Object.keys(PRICES);

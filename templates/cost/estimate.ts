import { z } from 'zod';
import type { CfnObject } from '../src/cfn-yaml.js';
import { materialize } from '../../common/templates/conditions.js';
import { isObject, listItems, resourcesOf, valuesAt } from '../../common/templates/intrinsics.js';
import { loadTemplate } from '../src/load-template.js';
import type { ParameterValues } from '../src/parameters.js';
import { checkPlatformParameters, ParameterError, PLATFORM_METRICS } from '../src/platform.js';
import { PRICED_REGIONS, PRICES, PRICES_AS_OF, SOURCES, type RegionPrices } from './price-table.js';

// The monthly cost of the stack while idle (workers at 0) and of each worker-hour. Counts that
// the template decides (alarms, root volumes, which NAT, which load balancers) are read from the
// template as these parameters deploy it, so the estimate follows the template when it changes.

export const HOURS_PER_MONTH = 730;

/** Usage that list prices alone cannot give; defaults describe a small, quiet lab. */
export const UsageAssumptionsSchema = z.object({
  efsGb: z.number().nonnegative().default(1),
  s3Gb: z.number().nonnegative().default(2),
  ecrGb: z.number().nonnegative().default(2),
  logsGbPerMonth: z.number().nonnegative().default(0.5),
  /** Average load balancer capacity units used while idle (health checks are free). */
  idleLcuPerLoadBalancer: z.number().nonnegative().default(0.01),
  /** Share of the data volume holding data, and the share of that which changes per day (backups). */
  dataUsedFraction: z.number().min(0).max(1).default(0.5),
  dailyChangeFraction: z.number().min(0).max(1).default(0.02),
  natGbPerIdleMonth: z.number().nonnegative().default(1),
  natGbPerWorkerHour: z.number().nonnegative().default(0.5),
});
export type UsageAssumptions = z.infer<typeof UsageAssumptionsSchema>;

// The estimate's shape, one schema for the CLI's --json output and for any UI that shows it.
export const CostItemSchema = z.object({ item: z.string(), detail: z.string(), monthlyUsd: z.number() });
export type CostItem = z.infer<typeof CostItemSchema>;

export const WorkerHourCostSchema = z.object({
  instanceType: z.string(),
  /** False when the parameters create no such workers (max count 0): the price of turning them on. */
  enabled: z.boolean(),
  hourlyUsd: z.number(),
  items: z.array(z.object({ item: z.string(), hourlyUsd: z.number() })),
});
export type WorkerHourCost = z.infer<typeof WorkerHourCostSchema>;

export const CostEstimateSchema = z.object({
  region: z.string(),
  pricesAsOf: z.string(),
  sources: z.array(z.string()),
  currency: z.literal('USD'),
  idle: z.object({ items: z.array(CostItemSchema), totalMonthlyUsd: z.number() }),
  perWorkerHour: z.object({ cpu: WorkerHourCostSchema, gpu: WorkerHourCostSchema }),
  assumptions: UsageAssumptionsSchema,
});
export type CostEstimate = z.infer<typeof CostEstimateSchema>;

const cents = (usd: number) => Math.round(usd * 100) / 100;
const tenthCents = (usd: number) => Math.round(usd * 10_000) / 10_000;

function instancePrice(prices: RegionPrices, type: string, region: string): number {
  const price = prices.ec2Hourly[type];
  if (price === undefined) throw new Error(`The price table has no ${type} in ${region}; add it to common/cost/price-table.ts.`);
  return price;
}

function rootVolumeGb(template: CfnObject, launchTemplate: string): number {
  const lt = resourcesOf(template, 'AWS::EC2::LaunchTemplate').find((r) => r.id === launchTemplate);
  const sizes = listItems(valuesAt(lt?.properties.LaunchTemplateData, ['BlockDeviceMappings'])[0])
    .flatMap((m) => valuesAt(m, ['Ebs', 'VolumeSize']));
  return sizes.reduce<number>((sum, s) => sum + Number(s), 0);
}

/** What CloudWatch bills per alarm: one per metric it reads (metric math expressions are free). */
function alarmMetricCount(template: CfnObject): number {
  return resourcesOf(template, 'AWS::CloudWatch::Alarm').reduce((sum, alarm) => {
    const metrics = listItems(alarm.properties.Metrics).filter((m) => isObject(m) && m.MetricStat !== undefined);
    return sum + (alarm.properties.Metrics === undefined ? 1 : metrics.length);
  }, 0);
}

const has = (template: CfnObject, id: string) => isObject(template.Resources) && id in template.Resources;

// Read from the whole template, so the price of GPU workers shows before they are enabled.
function workerHour(prices: RegionPrices, template: CfnObject, kind: 'Cpu' | 'Gpu', type: string, region: string, natGateway: boolean, a: UsageAssumptions, enabled: boolean): WorkerHourCost {
  const instance = instancePrice(prices, type, region);
  const root = (rootVolumeGb(template, `${kind}WorkerLaunchTemplate`) * prices.ebsGp3GbMonth) / HOURS_PER_MONTH;
  const items = [
    { item: `${type} instance`, hourlyUsd: tenthCents(instance) },
    { item: 'root volume (gp3)', hourlyUsd: tenthCents(root) },
    ...(natGateway ? [{ item: 'NAT gateway data processing', hourlyUsd: tenthCents(a.natGbPerWorkerHour * prices.natGatewayGb) }] : []),
  ];
  return { instanceType: type, enabled, hourlyUsd: tenthCents(items.reduce((s, i) => s + i.hourlyUsd, 0)), items };
}

export function estimateMonthlyCost(params: ParameterValues, region: string, usage: Partial<UsageAssumptions> = {}): CostEstimate {
  const prices = PRICES[region];
  if (!prices) throw new Error(`No prices for region ${region}; priced regions are ${PRICED_REGIONS.join(', ')}.`);
  const { values, problems } = checkPlatformParameters(params, { requireAll: false });
  if (problems.length > 0) throw new ParameterError(problems);
  const a = UsageAssumptionsSchema.parse(usage);
  const fullTemplate = loadTemplate('platform');
  const template = materialize(fullTemplate, { parameters: values, region });
  const v = (name: string) => values[name]!;
  const month = (hourly: number) => hourly * HOURS_PER_MONTH;
  const items: CostItem[] = [];
  const add = (item: string, detail: string, usd: number) => items.push({ item, detail, monthlyUsd: cents(usd) });

  const servicesRoot = rootVolumeGb(template, 'ServicesLaunchTemplate');
  add('Services instance', `${v('ServicesInstanceType')}, ${HOURS_PER_MONTH} h`, month(instancePrice(prices, v('ServicesInstanceType'), region)));
  add('Services root volume', `${servicesRoot} GiB gp3`, servicesRoot * prices.ebsGp3GbMonth);
  add('Data volume', `${v('DataVolumeSize')} GiB gp3`, Number(v('DataVolumeSize')) * prices.ebsGp3GbMonth);

  const loadBalancers = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  for (const lb of loadBalancers) {
    const name = lb.id === 'EntryLoadBalancer' ? 'Entry load balancer' : 'Internal load balancer';
    add(name, `ALB ${HOURS_PER_MONTH} h + ${a.idleLcuPerLoadBalancer} LCU`, month(prices.albHour + a.idleLcuPerLoadBalancer * prices.albLcuHour));
  }

  // Each internet-facing ALB node (one per zone) has a public IPv4 address, as do the NAT instance and NAT gateway.
  const publicAddresses = (v('LoadBalancerScheme') === 'internet-facing' ? 2 : 0) + (has(template, 'NatInstance') ? 1 : 0) + (has(template, 'NatGateway') ? 1 : 0);
  if (publicAddresses > 0) add('Public IPv4 addresses', `${publicAddresses} x ${HOURS_PER_MONTH} h`, publicAddresses * month(prices.publicIpv4Hour));

  if (has(template, 'NatInstance')) {
    const root = rootVolumeGb(template, 'NatLaunchTemplate');
    add('NAT instance', `${v('NatInstanceType')} + ${root} GiB gp3`, month(instancePrice(prices, v('NatInstanceType'), region)) + root * prices.ebsGp3GbMonth);
  }
  if (has(template, 'NatGateway')) {
    add('NAT gateway', `${HOURS_PER_MONTH} h + ${a.natGbPerIdleMonth} GB processed`, month(prices.natGatewayHour) + a.natGbPerIdleMonth * prices.natGatewayGb);
  }

  add('EFS', `${a.efsGb} GB Standard`, a.efsGb * prices.efsStandardGbMonth);
  add('S3', `${a.s3Gb} GB Standard (results, logs)`, a.s3Gb * prices.s3StandardGbMonth);
  add('ECR', `${a.ecrGb} GB of environment images`, a.ecrGb * prices.ecrGbMonth);

  const alarmMetrics = alarmMetricCount(template);
  add('CloudWatch alarms', `${alarmMetrics} alarm metrics`, alarmMetrics * prices.cloudwatchAlarmMetricMonth);
  const customMetrics = PLATFORM_METRICS.metrics.reduce((n, m) => n + (m.perQueue ? PLATFORM_METRICS.queues.length : 1), 0);
  add('CloudWatch custom metrics', `${customMetrics} metrics in ${PLATFORM_METRICS.namespace('<stack>')}`, customMetrics * prices.cloudwatchCustomMetricMonth);
  add('CloudWatch Logs', `${a.logsGbPerMonth} GB ingested, ${v('LogRetentionDays')} days kept`,
    a.logsGbPerMonth * prices.logsIngestGb + a.logsGbPerMonth * Math.min(Number(v('LogRetentionDays')) / 30, 12) * prices.logsStorageGbMonth);

  const usedGb = Number(v('DataVolumeSize')) * a.dataUsedFraction;
  const backupGb = usedGb + usedGb * a.dailyChangeFraction * Number(v('BackupRetentionDays'));
  add('Backups of the data volume', `~${Math.round(backupGb)} GB of snapshots, ${v('BackupRetentionDays')} days`, backupGb * prices.backupEbsGbMonth);
  add('Route 53 private hosted zone', '1 zone', prices.route53HostedZoneMonth);
  const keys = resourcesOf(template, 'AWS::KMS::Key').length;
  add('KMS keys', `${keys} customer managed keys (alarm topic, platform tokens)`, keys * prices.kmsKeyMonth);

  const natGateway = has(template, 'NatGateway');
  return {
    region,
    pricesAsOf: PRICES_AS_OF,
    sources: SOURCES,
    currency: 'USD',
    idle: { items, totalMonthlyUsd: cents(items.reduce((s, i) => s + i.monthlyUsd, 0)) },
    perWorkerHour: {
      cpu: workerHour(prices, fullTemplate, 'Cpu', v('CpuWorkerInstanceType'), region, natGateway, a, Number(v('CpuWorkerMaxCount')) > 0),
      gpu: workerHour(prices, fullTemplate, 'Gpu', v('GpuWorkerInstanceType'), region, natGateway, a, has(template, 'GpuWorkerGroup')),
    },
    assumptions: a,
  };
}

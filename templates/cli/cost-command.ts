import { parseArgs } from 'node:util';
import { estimateMonthlyCost, type CostEstimate } from '../cost/estimate.js';
import { PRICED_REGIONS } from '../cost/price-table.js';
import { exitOnUsageErrors, UsageError } from './command-errors.js';
import { readParamsFile } from './read-params.js';

const USAGE = `usage: benchtop cost [--params FILE] [--region REGION] [--json]

Monthly cost of the platform stack while idle (no workers running), itemized, and the cost of
each CPU and GPU worker-hour, from public on-demand list prices.

  --params FILE    a JSON object of template parameter names to values (defaults for the rest)
  --region REGION  one of ${PRICED_REGIONS.join(', ')} (default us-east-1)
  --json           the estimate as one JSON object
`;

const usd = (n: number, digits = 2) => `$${n.toFixed(digits)}`;

export function formatCostTable(e: CostEstimate): string {
  const width = Math.max(...e.idle.items.map((i) => i.item.length), 'Total'.length);
  const detailWidth = Math.max(...e.idle.items.map((i) => i.detail.length));
  const lines = [
    `Idle monthly cost in ${e.region} (list prices as of ${e.pricesAsOf}, USD):`,
    '',
    ...e.idle.items.map((i) => `  ${i.item.padEnd(width)}  ${i.detail.padEnd(detailWidth)}  ${usd(i.monthlyUsd).padStart(9)}`),
    `  ${'Total'.padEnd(width)}  ${''.padEnd(detailWidth)}  ${usd(e.idle.totalMonthlyUsd).padStart(9)}`,
    '',
    'Per worker-hour (on-demand; the Spot share of WorkerOnDemandPercent costs less):',
  ];
  for (const [kind, w] of [['CPU', e.perWorkerHour.cpu], ['GPU', e.perWorkerHour.gpu]] as const) {
    lines.push(`  ${kind}  ${w.instanceType.padEnd(12)}  ${usd(w.hourlyUsd, 4)} / hour${w.enabled ? '' : `  (not enabled: ${kind === 'CPU' ? 'Cpu' : 'Gpu'}WorkerMaxCount is 0)`}`);
  }
  lines.push('', 'Usage assumed while idle: ' + Object.entries(e.assumptions).map(([k, v]) => `${k}=${v}`).join(', '), '');
  return lines.join('\n');
}

export function run(argv: string[]): Promise<number> {
  return exitOnUsageErrors('cost', async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        params: { type: 'string' },
        region: { type: 'string', default: 'us-east-1' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const region = values.region!;
    if (!PRICED_REGIONS.includes(region)) {
      throw new UsageError(`No prices for region "${region}"; choose one of ${PRICED_REGIONS.join(', ')}.`);
    }
    const params = values.params ? readParamsFile(values.params) : {};
    const estimate = estimateMonthlyCost(params, region);
    process.stdout.write(values.json ? `${JSON.stringify(estimate)}\n` : formatCostTable(estimate));
    return 0;
  });
}

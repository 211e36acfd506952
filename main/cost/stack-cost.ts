import {
  type CostExplorerClient,
  GetCostAndUsageCommand,
  GetCostForecastCommand,
  ListCostAllocationTagsCommand,
  UpdateCostAllocationTagsStatusCommand,
  type Expression,
} from '@aws-sdk/client-cost-explorer';
import type { StackCost } from '../../common/api/cost.contract.js';
import { errorName } from '../../lib/aws/error-meaning.js';

/** Every resource of the stack carries it (templates/platform.yaml); Cost Explorer filters by it once activated. */
export const STACK_COST_TAG = 'benchtop:stack';

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const usd = (amount: string | undefined) => Math.round(Number(amount ?? 0) * 100) / 100;

export async function costTagStatus(ce: CostExplorerClient): Promise<StackCost['tag']> {
  const out = await ce.send(new ListCostAllocationTagsCommand({ TagKeys: [STACK_COST_TAG], Type: 'UserDefined' }));
  const status = out.CostAllocationTags?.find((t) => t.TagKey === STACK_COST_TAG)?.Status;
  return { key: STACK_COST_TAG, status: status === 'Active' || status === 'Inactive' ? status : 'not-found' };
}

export async function activateCostTag(ce: CostExplorerClient): Promise<StackCost['tag']> {
  const out = await ce.send(new UpdateCostAllocationTagsStatusCommand({ CostAllocationTagsStatus: [{ TagKey: STACK_COST_TAG, Status: 'Active' }] }));
  const failure = out.Errors?.[0];
  if (failure) throw new Error(`Cost Explorer did not activate ${STACK_COST_TAG}: ${failure.Message ?? failure.Code ?? 'no reason given'}`);
  return { key: STACK_COST_TAG, status: 'Active' };
}

/**
 * This month by day and service, the months before, and the forecast to the month's end, for the
 * resources tagged with the stack's name. Cost Explorer's end dates are exclusive and its data
 * lags by up to a day.
 */
export async function stackCost(ce: CostExplorerClient, stackName: string, now: number, idleEstimateMonthlyUsd: number | null): Promise<Omit<StackCost, 'tag'>> {
  const d = new Date(now);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const nextMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const tomorrow = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  const sixMonthsAgo = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 6, 1);
  const filter: Expression = { Tags: { Key: STACK_COST_TAG, Values: [stackName], MatchOptions: ['EQUALS'] } };

  const daily = await ce.send(
    new GetCostAndUsageCommand({
      TimePeriod: { Start: day(monthStart), End: day(tomorrow) },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      Filter: filter,
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    }),
  );
  const byService = new Map<string, number>();
  const days = (daily.ResultsByTime ?? []).map((r) => {
    let total = 0;
    for (const g of r.Groups ?? []) {
      const amount = Number(g.Metrics?.UnblendedCost?.Amount ?? 0);
      total += amount;
      const service = g.Keys?.[0] ?? 'Other';
      byService.set(service, (byService.get(service) ?? 0) + amount);
    }
    return { date: r.TimePeriod?.Start ?? '', usd: Math.round(total * 100) / 100 };
  });
  const monthToDate = [...byService.values()].reduce((a, b) => a + b, 0);

  const monthly = await ce.send(
    new GetCostAndUsageCommand({ TimePeriod: { Start: day(sixMonthsAgo), End: day(monthStart) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], Filter: filter }),
  );

  let forecastMonthUsd: number | null = null;
  let forecastNote: string | null = null;
  if (tomorrow < nextMonth) {
    try {
      const forecast = await ce.send(
        new GetCostForecastCommand({ TimePeriod: { Start: day(tomorrow), End: day(nextMonth) }, Metric: 'UNBLENDED_COST', Granularity: 'MONTHLY', Filter: filter }),
      );
      forecastMonthUsd = Math.round((monthToDate + Number(forecast.Total?.Amount ?? 0)) * 100) / 100;
    } catch (error) {
      // Cost Explorer needs some history of the filtered costs before it forecasts.
      if (errorName(error) !== 'DataUnavailableException') throw error;
      forecastNote = 'Cost Explorer has too little history of this stack to forecast yet (it needs a few days of costs).';
    }
  } else {
    forecastMonthUsd = Math.round(monthToDate * 100) / 100;
    forecastNote = 'The month ends today: the forecast is the month so far.';
  }

  return {
    stackName,
    currency: 'USD',
    monthToDate: {
      totalUsd: Math.round(monthToDate * 100) / 100,
      byService: [...byService.entries()].map(([service, amount]) => ({ service, usd: Math.round(amount * 100) / 100 })).sort((a, b) => b.usd - a.usd),
    },
    daily: days,
    forecastMonthUsd,
    forecastNote,
    lastMonths: (monthly.ResultsByTime ?? []).map((r) => ({ month: (r.TimePeriod?.Start ?? '').slice(0, 7), usd: usd(r.Total?.UnblendedCost?.Amount) })),
    idleEstimateMonthlyUsd,
  };
}

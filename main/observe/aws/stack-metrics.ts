import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ChartData, MetricsAnswer } from '../../../common/api/observe.contract.js';
import { bucketTimestamps, choosePeriod } from '../time-range.js';
import { aligned, getMetricData } from './get-metric-data.js';
import { stackQueries } from './stack-metric-queries.js';
import type { StackResources } from './stack-resources.js';

/** The Monitoring charts of a deployed stack for a range: one batched GetMetricData, aligned to the period. */
export async function stackMetrics(cw: CloudWatchClient, resources: StackResources, from: number, to: number, now = Date.now()): Promise<MetricsAnswer> {
  // Counted with a first guess of the period: the number of queries does not depend on it.
  const count = stackQueries(resources, 60).queries.length;
  const period = choosePeriod(from, to, count, now);
  const { charts, lines, queries } = stackQueries(resources, period);
  const alignedFrom = Math.floor(from / 1000 / period) * period * 1000;
  const values = await getMetricData(cw, queries, alignedFrom, to);
  const timestamps = bucketTimestamps(from, to, period);
  const out: ChartData[] = charts.map((spec) => {
    const series = lines
      .filter((l) => l.chart === spec.id)
      .map((l) => ({ label: l.label, values: aligned(values, l.id, timestamps), ...(l.dashed ? { dashed: true } : {}) }))
      // A line with no point at all (no GPU group in use, desired capacity not collected) is noise.
      .filter((s, _i, all) => s.values.some((v) => v !== null) || all.every((x) => x.values.every((v) => v === null)));
    const empty = series.every((s) => s.values.every((v) => v === null));
    return { id: spec.id, title: spec.title, unit: spec.unit, series, ...(empty ? { emptyReason: spec.whenEmpty } : {}) };
  });
  return { local: false, from, to, period, timestamps, charts: out, notes: values.messages };
}

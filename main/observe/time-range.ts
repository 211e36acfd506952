import type { TimeRange } from '../../common/api/observe.contract.js';

const PRESET_MS = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 } as const;

/** A range as epoch milliseconds; a preset ends now. */
export function resolveRange(range: TimeRange, now = Date.now()): { from: number; to: number } {
  if ('preset' in range) return { from: now - PRESET_MS[range.preset], to: now };
  return { from: range.from, to: Math.min(range.to, now) };
}

/** Periods a chart may use (seconds); CloudWatch wants a multiple of 60 at standard resolution. */
const PERIODS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** GetMetricData answers at most this many data points per call (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html). */
export const MAX_DATAPOINTS_PER_CALL = 100_800;

/**
 * The smallest period that keeps every series of the range under `maxPointsPerSeries` and the
 * whole call under GetMetricData's data-point limit, and that CloudWatch still holds at that
 * age: 1-minute points for 15 days, 5-minute points for 63 days, hourly ones after that
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention).
 */
export function choosePeriod(from: number, to: number, queries: number, now = Date.now(), maxPointsPerSeries = 1440): number {
  const spanSeconds = Math.max(60, (to - from) / 1000);
  const perSeries = Math.min(maxPointsPerSeries, Math.floor(MAX_DATAPOINTS_PER_CALL / Math.max(1, queries)));
  const ageDays = (now - from) / 86_400_000;
  const floor = ageDays > 63 ? 3600 : ageDays > 15 ? 300 : 60;
  return PERIODS.find((p) => p >= floor && spanSeconds / p <= perSeries) ?? PERIODS.at(-1)!;
}

/** The period-aligned timestamps (epoch seconds) from `from` to `to`. */
export function bucketTimestamps(from: number, to: number, period: number): number[] {
  const first = Math.floor(from / 1000 / period) * period;
  const out: number[] = [];
  for (let t = first; t <= to / 1000; t += period) out.push(t);
  return out;
}

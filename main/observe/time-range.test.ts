import { describe, expect, it } from 'vitest';
import { bucketTimestamps, choosePeriod, MAX_DATAPOINTS_PER_CALL, resolveRange } from './time-range.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOUR = 3_600_000;

describe('time ranges and periods', () => {
  it('ends a preset now and keeps a custom range, cut at now', () => {
    expect(resolveRange({ preset: '6h' }, NOW)).toEqual({ from: NOW - 6 * HOUR, to: NOW });
    expect(resolveRange({ from: NOW - HOUR, to: NOW + HOUR }, NOW)).toEqual({ from: NOW - HOUR, to: NOW });
  });

  it('uses 1-minute points for an hour and coarser ones as the range grows', () => {
    expect(choosePeriod(NOW - HOUR, NOW, 20, NOW)).toBe(60);
    expect(choosePeriod(NOW - 24 * HOUR, NOW, 20, NOW)).toBe(60);
    expect(choosePeriod(NOW - 7 * 24 * HOUR, NOW, 20, NOW)).toBe(600);
  });

  it('stays under the data-point limit of one GetMetricData call with many queries', () => {
    for (const queries of [1, 30, 200, 500]) {
      const period = choosePeriod(NOW - 7 * 24 * HOUR, NOW, queries, NOW, 100_000);
      expect(((7 * 24 * 3600) / period) * queries).toBeLessThanOrEqual(MAX_DATAPOINTS_PER_CALL);
    }
  });

  it('never asks for a finer period than CloudWatch keeps at that age', () => {
    expect(choosePeriod(NOW - 20 * 24 * HOUR, NOW - 19 * 24 * HOUR, 1, NOW)).toBe(300);
    expect(choosePeriod(NOW - 100 * 24 * HOUR, NOW - 99 * 24 * HOUR, 1, NOW)).toBe(3600);
  });

  it('aligns buckets to the period', () => {
    const ts = bucketTimestamps(NOW - 5 * 60_000 + 30_000, NOW, 60);
    expect(ts).toHaveLength(6);
    expect(ts.every((t) => t % 60 === 0)).toBe(true);
    expect(ts.at(-1)).toBe(NOW / 1000);
  });
});

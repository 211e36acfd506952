import { describe, expect, it } from 'vitest';
import { rollupCsv, type CostRollup } from '../protocol/cost.js';
import { runCostUsd, runShare, tablePrice } from './run-cost.js';

describe('a run’s share of its worker', () => {
  it('is the whole worker without slots, else the largest part it takes of any resource', () => {
    const ask = { cpus: 1, memoryMb: 2048, gpus: 0 };
    expect(runShare(ask, null)).toBe(1);
    expect(runShare(ask, { cpus: 4, memoryMb: 16384, gpus: 0 })).toBe(0.25);
    expect(runShare({ cpus: 1, memoryMb: 12288, gpus: 0 }, { cpus: 4, memoryMb: 16384, gpus: 0 })).toBe(0.75);
    expect(runShare({ cpus: 1, memoryMb: 1024, gpus: 1 }, { cpus: 8, memoryMb: 61440, gpus: 2 })).toBe(0.5);
    // A run bigger than the pool runs alone: it pays for the whole worker, not more.
    expect(runShare({ cpus: 16, memoryMb: 1024, gpus: 0 }, { cpus: 4, memoryMb: 16384, gpus: 0 })).toBe(1);
  });

  it('prices hours × rate × share to a millionth of a dollar, never below zero', () => {
    expect(runCostUsd(0.5, 0.17, 0.25)).toBe(0.02125);
    expect(runCostUsd(1 / 3600, 3.6, 1)).toBe(0.001);
    expect(runCostUsd(-1, 1, 1)).toBe(0);
  });

  it('reads the shipped table, dated, and nothing for a type it lacks', () => {
    expect(tablePrice('eu-west-1', 'c6i.large')).toEqual({ hourlyUsd: 0.096, source: 'Benchtop price table of 2025-06-01 (on-demand, eu-west-1)' });
    expect(tablePrice('eu-west-1', 'x9.huge')).toBeNull();
    expect(tablePrice('mars-north-1', 'c6i.large')).toBeNull();
  });
});

describe('rollupCsv', () => {
  it('writes one line per item, quoting commas and defusing spreadsheet formulas', () => {
    const rollup: CostRollup = {
      month: '2026-12', by: 'capsule', currency: 'USD', totalUsd: 1.5, runs: 3, unpricedRuns: 0, sources: [],
      items: [
        { key: 'cap_1', label: 'Study, part "2"', runs: 2, hours: 1.25, costUsd: 1.25 },
        { key: 'cap_2', label: '=HYPERLINK("http://x")', runs: 1, hours: 0.5, costUsd: 0.25 },
      ],
    };
    expect(rollupCsv(rollup)).toBe(
      'month,capsule,name,runs,hours,cost_usd\n2026-12,cap_1,"Study, part ""2""",2,1.2500,1.250000\n2026-12,cap_2,"\'=HYPERLINK(""http://x"")",1,0.5000,0.250000\n',
    );
  });
});

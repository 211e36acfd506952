import { PRICES, PRICES_AS_OF } from './price-table.js';

// What one run costs: the worker's hourly price × the hours the run held it × the run's share of
// the worker. A worker that shares itself among runs (slots) charges each run the largest part it
// took of any one resource: a run asking half the memory keeps the other half of the CPUs idle
// for most work that fits beside it.

export interface RunAsk {
  cpus: number;
  memoryMb: number;
  gpus: number;
}

export function runShare(ask: RunAsk, slots: RunAsk | null | undefined): number {
  if (!slots) return 1;
  const parts = [ask.cpus / slots.cpus, ask.memoryMb / slots.memoryMb];
  if (slots.gpus > 0) parts.push(ask.gpus / slots.gpus);
  const share = Math.max(...parts.filter((p) => Number.isFinite(p)));
  return Math.min(1, Math.max(0, share));
}

/** Rounded to a millionth of a dollar, as runs record it. */
export function runCostUsd(hours: number, hourlyUsd: number, share: number): number {
  return Math.round(Math.max(0, hours) * hourlyUsd * share * 1e6) / 1e6;
}

export interface HourlyPrice {
  hourlyUsd: number;
  source: string;
}

/** The shipped table's on-demand price of an instance type in a region, or null when it has none. */
export function tablePrice(region: string, instanceType: string): HourlyPrice | null {
  const hourly = PRICES[region]?.ec2Hourly[instanceType];
  if (hourly === undefined) return null;
  return { hourlyUsd: hourly, source: `Benchtop price table of ${PRICES_AS_OF} (on-demand, ${region})` };
}

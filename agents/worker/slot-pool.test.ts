import { describe, expect, it } from 'vitest';
import { parseSlots, SlotPool } from './slot-pool.js';

describe('worker slots', () => {
  it('parses --slots and says what is wrong with a bad one', () => {
    expect(parseSlots('cpus=4,memory-mb=15360,gpus=1')).toEqual({ cpus: 4, memoryMb: 15360, gpus: 1 });
    expect(parseSlots('cpus=2,memory-mb=4096')).toEqual({ cpus: 2, memoryMb: 4096, gpus: 0 });
    expect(parseSlots('cpus=4,memory=1')).toBe('--slots: unknown "memory" (cpus, memory-mb, gpus)');
    expect(parseSlots('cpus=,memory-mb=4096')).toBe('--slots: "cpus=" is not name=number');
    expect(parseSlots('cpus=4')).toBe('--slots: memory-mb must be a whole number of at least 64');
    expect(parseSlots('cpus=4,memory-mb=4096,gpus=1.5')).toBe('--slots: gpus must be a whole number');
  });

  it('shares cpus, memory and GPU devices among runs, and hands them back', () => {
    const pool = new SlotPool({ cpus: 4, memoryMb: 16_000, gpus: 2 });
    expect(pool.idle).toBe(true);
    const a = pool.take({ cpus: 1, memoryMb: 2048, gpus: 1 });
    const b = pool.take({ cpus: 2.5, memoryMb: 8000, gpus: 1 });
    expect([a.gpuDevices, b.gpuDevices]).toEqual([[0], [1]]);
    expect(pool.free()).toEqual({ cpus: 0.5, memoryMb: 5952, gpus: 0 });
    expect(pool.hasRoom()).toBe(true);
    const c = pool.take({ cpus: 0.5, memoryMb: 1024, gpus: 0 });
    expect(pool.hasRoom()).toBe(false);
    pool.release(a);
    expect(pool.free()).toEqual({ cpus: 1, memoryMb: 6976, gpus: 1 });
    const d = pool.take({ cpus: 1, memoryMb: 1024, gpus: 1 });
    expect(d.gpuDevices).toEqual([0]);
    for (const grant of [b, c, d]) pool.release(grant);
    expect(pool.idle).toBe(true);
    expect(pool.free()).toEqual({ cpus: 4, memoryMb: 16_000, gpus: 2 });
  });

  it('lets an idle worker take a run bigger than the whole pool, alone', () => {
    const pool = new SlotPool({ cpus: 2, memoryMb: 4096, gpus: 1 });
    const big = pool.take({ cpus: 8, memoryMb: 32_000, gpus: 4 });
    expect(big.gpuDevices).toEqual([]);
    expect(pool.free()).toEqual({ cpus: 0, memoryMb: 0, gpus: 1 });
    expect(pool.hasRoom()).toBe(false);
    pool.release(big);
    expect(pool.hasRoom()).toBe(true);
  });

  it('wakes a worker waiting for room when a run ends', async () => {
    const pool = new SlotPool({ cpus: 1, memoryMb: 1024, gpus: 0 });
    const grant = pool.take({ cpus: 1, memoryMb: 1024, gpus: 0 });
    const waited = pool.released(new AbortController().signal);
    pool.release(grant);
    await waited;
    expect(pool.hasRoom()).toBe(true);
  });
});

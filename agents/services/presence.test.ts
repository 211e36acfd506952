import { describe, expect, it } from 'vitest';
import { Presence } from './presence.js';

const a10g = (count: number) => ({ count, driverVersion: '550.127.05', gpus: Array.from({ length: count }, () => ({ model: 'NVIDIA A10G', memoryMiB: 23028 })) });

describe('presence: the GPUs of online workers', () => {
  it('counts the GPUs of the online workers of a queue by model', () => {
    let now = 0;
    const presence = new Presence(1000, 100, () => now);
    presence.seen('g1', 'gpu', a10g(4));
    presence.seen('g2', 'gpu', { count: 2, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA L4', memoryMiB: 23034 }, { model: 'NVIDIA A10G', memoryMiB: 23028 }] });
    presence.seen('old-worker', 'gpu');
    presence.seen('c1', 'cpu');
    expect(presence.gpus('gpu')).toEqual([{ model: 'NVIDIA A10G', count: 5 }, { model: 'NVIDIA L4', count: 1 }]);
    expect(presence.gpus('cpu')).toEqual([]);
    expect(presence.online('gpu')).toBe(3);
    // g2 goes quiet; g1 only heartbeats, which carries no inventory: its GPUs stay known.
    now = 900;
    presence.seen('g1', 'gpu');
    now = 1500;
    expect(presence.gpus('gpu')).toEqual([{ model: 'NVIDIA A10G', count: 4 }]);
  });
});

import { describe, expect, it } from 'vitest';
import { INITIAL_TIMEOUT_MS, MAX_TIMEOUT_MS, RetransmissionTimer } from './retransmission.js';

describe('retransmission timeout', () => {
  it('starts at 200 ms and follows steady round trips down to srtt + 4 × variation', () => {
    const timer = new RetransmissionTimer();
    expect(timer.timeoutMs).toBe(INITIAL_TIMEOUT_MS);
    for (let i = 0; i < 60; i += 1) timer.sample(40);
    expect(timer.smoothedRttMs).toBeCloseTo(40, 0);
    // The variation decays towards 0, so the clock granularity (10 ms) is what remains above srtt.
    expect(timer.timeoutMs).toBeGreaterThanOrEqual(50);
    expect(timer.timeoutMs).toBeLessThan(60);
  });

  it('grows with jittery round trips and never passes one second', () => {
    const timer = new RetransmissionTimer();
    for (let i = 0; i < 20; i += 1) timer.sample(i % 2 === 0 ? 20 : 300);
    expect(timer.timeoutMs).toBeGreaterThan(300);
    for (let i = 0; i < 20; i += 1) timer.sample(5000);
    expect(timer.timeoutMs).toBe(MAX_TIMEOUT_MS);
  });
});

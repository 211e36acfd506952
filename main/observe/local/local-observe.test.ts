import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalPlatform } from '../../platform/connection/platform-registry.js';
import { LocalObserve } from './local-observe.js';
import { MetricsSampler } from './metrics-sampler.js';

afterEach(() => vi.restoreAllMocks());

describe('local observe', () => {
  it('starts no sampler when it was stopped before the sandbox answered', async () => {
    const start = vi.spyOn(MetricsSampler.prototype, 'start').mockImplementation(() => undefined);
    let answer!: (p: LocalPlatform) => void;
    const platform = new Promise<LocalPlatform>((resolve) => (answer = resolve));
    const local = new LocalObserve({ sandboxDir: '/nonexistent-sandbox', platform });
    local.stop();
    answer({ url: 'http://127.0.0.1:9', token: 'sandbox-token' });
    await platform;
    await Promise.resolve();
    expect(start).not.toHaveBeenCalled();
    // Not stopped, it does start one.
    const running = new LocalObserve({ sandboxDir: '/nonexistent-sandbox', platform: Promise.resolve({ url: 'http://127.0.0.1:9', token: 'sandbox-token' }) });
    await Promise.resolve();
    await Promise.resolve();
    expect(start).toHaveBeenCalledTimes(1);
    running.stop();
  });
});

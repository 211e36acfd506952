import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../common/protocol/routes.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// At info the agent logs two lines per request; the routes machines poll (health checks, the
// app's metrics sampler) must not bury the ones a person reads in the Logs page.

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = undefined;
});

describe('request logging at info', () => {
  it('logs the requests people make and leaves out the polled health and metrics routes', async () => {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{')) {
        lines.push(text);
        return true;
      }
      return write(chunk, ...(rest as []));
    });
    h = await startHarness({ logger: { level: 'info' } });
    for (let i = 0; i < 3; i += 1) {
      await h.admin.metrics();
      await h.admin.health();
    }
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const urls = lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter((u): u is string => u !== undefined);
    expect(urls).toContain('/api/v1/capsules');
    expect(urls.filter((u) => u === ROUTES.metrics.path || u === ROUTES.health.path)).toEqual([]);
    expect(capsule.id).toBeTruthy();
  });
});

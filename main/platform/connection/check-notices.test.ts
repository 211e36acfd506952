import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../common/protocol/audit.js';
import type { PlatformClient } from '../../../lib/protocol/client.js';
import type { PlatformInfo } from '../../../common/api/platforms.contract.js';
import type { PlatformRegistry } from './platform-registry.js';
import { followNotices } from './check-notices.js';

const entry = (seq: number): AuditEntry => ({ seq, at: '', actorId: null, actorName: 'platform', action: 'capsule.diverged', targetKind: 'capsule', targetId: 'cap_0000000001', summary: 's', detail: {} });

// expect.poll gives up after 1 s by default: too short for a busy machine.
const POLL = { timeout: 10_000 };

function registry(entries: AuditEntry[], platform = { id: 'lab' }) {
  const asked: number[] = [];
  const client = { notifications: async (after: number) => (asked.push(after), { items: entries.filter((e) => e.seq > after).slice(0, 100) }) } as unknown as PlatformClient;
  const platforms = { withActive: async <T,>(work: (c: PlatformClient, p: PlatformInfo) => Promise<T>) => work(client, platform as PlatformInfo) } as unknown as PlatformRegistry;
  return { platforms, asked };
}

describe('following check notices', () => {
  it('tells only what is new since it started, each once', async () => {
    const entries = Array.from({ length: 150 }, (_, i) => entry(i + 1));
    const { platforms, asked } = registry(entries);
    const told: number[] = [];
    const stop = followNotices(platforms, (e) => told.push(e.seq), 5);
    await expect.poll(() => asked.length, POLL).toBeGreaterThanOrEqual(3);
    expect(told).toEqual([]);
    entries.push(entry(151), entry(152));
    await expect.poll(() => told, POLL).toEqual([151, 152]);
    await expect.poll(() => asked.filter((a) => a === 152).length, POLL).toBeGreaterThanOrEqual(2);
    stop();
    expect(told).toEqual([151, 152]);
  });
});

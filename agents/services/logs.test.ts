import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../common/protocol/leases.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

describe('logs: pages and a live SSE stream that resumes without gaps or duplicates', () => {
  let h: Harness;
  let lease: Lease;
  let runId: string;
  let offset = 0;

  const ship = async (n: number) => {
    const lines = Array.from({ length: n }, (_, i) => ({ stream: (i % 7 === 0 ? 'stderr' : 'stdout') as 'stdout' | 'stderr', ts: Date.now(), text: `line ${offset + i + 1}` }));
    offset = (await h.worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset, lines })).next;
  };

  beforeAll(async () => {
    h = await startHarness({ leaseTtlMs: 60_000, sse: { pageSize: 50, keepAliveMs: 100 } });
    const capsule = await h.researcher.createCapsule(exampleCapsule);
    runId = (await h.researcher.createRun({ capsuleId: capsule.id })).id;
    lease = (await h.worker.lease({ queue: 'cpu', workerId: 'w' }))!;
  });
  afterAll(async () => {
    await h.close();
  });

  it('streams live lines, resumes from Last-Event-ID, and ends when the run finishes', async () => {
    await ship(120);
    const seen: number[] = [];
    const first = new AbortController();
    // First connection: read some lines, then drop the connection mid-stream.
    for await (const event of h.researcher.streamLogs(runId, { signal: first.signal })) {
      if (event.type !== 'line') throw new Error('unexpected end');
      seen.push(event.line.seq);
      if (seen.length === 75) break;
    }
    // Lines keep arriving while nobody listens, and while the second connection follows.
    await ship(200);
    const writer = (async () => {
      for (let i = 0; i < 10; i++) {
        await ship(30);
        await new Promise((r) => setTimeout(r, 10));
      }
      await h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 });
    })();
    let end: string | undefined;
    for await (const event of h.researcher.streamLogs(runId, { after: seen.at(-1)! })) {
      if (event.type === 'line') seen.push(event.line.seq);
      else end = event.state;
    }
    await writer;
    expect(end).toBe('succeeded');
    expect(seen).toEqual(Array.from({ length: 620 }, (_, i) => i + 1));
  });

  it('pages the stored log with after and limit', async () => {
    const page = await h.researcher.logs(runId, { after: 100, limit: 5 });
    expect(page.items.map((l) => l.seq)).toEqual([101, 102, 103, 104, 105]);
    expect(page.items[0]).toMatchObject({ text: 'line 101', stream: 'stdout' });
    expect(page.next).toBe(105);
    expect(page.done).toBe(false);
    const last = await h.researcher.logs(runId, { after: 600, limit: 100 });
    expect(last.items).toHaveLength(20);
    expect(last.done).toBe(true);
  });

  it('refuses a malformed Last-Event-ID', async () => {
    const res = await fetch(`${h.running.url}/api/v1/runs/${runId}/logs/stream`, {
      headers: { authorization: `Bearer ${h.running.researcherToken}`, 'last-event-id': 'abc' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('last-event-id');
  });
});

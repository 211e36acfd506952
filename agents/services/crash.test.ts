import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../lib/protocol/client.js';
import { exampleCapsule } from './testing/harness.js';
import { spawnServices, type ServicesProcess } from './testing/spawn-services.js';

describe('crash safety: kill -9 during 500 submissions, 100 in flight at a time', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('keeps every run that was answered 201, and the queue drains after restart', { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'benchtop-crash-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    let proc: ServicesProcess = await spawnServices(dataDir);
    cleanup.push(() => proc.stop('SIGKILL'));
    const researcher = createPlatformClient({ url: proc.url, token: proc.researcherToken });
    const capsule = await researcher.createCapsule(exampleCapsule);

    const acknowledged = new Set<string>();
    let killed = false;
    // At most 100 in flight: the kill after the 150th answer always finds submissions under way,
    // and at most 250 answered. With all 500 sent at once a fast agent could answer every one
    // before the client had read 150 answers (308 were answered by then in one run here).
    let next = 0;
    const submitter = async () => {
      while (next < 500) {
        const i = next++;
        try {
          const run = await researcher.createRun({ capsuleId: capsule.id, parameters: { i } }, { idempotencyKey: `crash-${i}` });
          acknowledged.add(run.id);
          if (acknowledged.size >= 150 && !killed) {
            killed = true;
            proc.child.kill('SIGKILL');
          }
        } catch {
          // Refused or cut off by the crash: the client was never told the run exists.
        }
      }
    };
    await Promise.all(Array.from({ length: 100 }, submitter));
    expect(await proc.exited).toBe('SIGKILL');
    expect(acknowledged.size).toBeGreaterThanOrEqual(150);
    expect(acknowledged.size).toBeLessThan(500);

    // The database file is sound after the crash.
    const raw = new Database(join(dataDir, 'benchtop.sqlite'), { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    // Leases that outlast a loaded machine between a drain loop's lease and its complete.
    proc = await spawnServices(dataDir, ['--lease-ttl-ms', '60000']);
    const after = createPlatformClient({ url: proc.url, token: proc.researcherToken });
    const worker = createPlatformClient({ url: proc.url, token: proc.workerToken });
    const listed = new Map((await after.listRuns({ limit: 500 })).items.map((r) => [r.id, r.state]));
    for (const id of acknowledged) expect(listed.get(id), id).toBe('queued');

    // Drain with a few lease loops, as workers would.
    const drained: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let guard = 0; guard < 1000; guard++) {
          const lease = await worker.lease({ queue: 'cpu', workerId: `drain-${w}` });
          if (!lease) return;
          await worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0 });
          drained.push(lease.runId);
        }
      }),
    );
    expect((await after.health()).queues.cpu.queued).toBe(0);
    expect(new Set(drained).size).toBe(drained.length);
    for (const id of acknowledged) expect(drained).toContain(id);
    const finished = new Map((await after.listRuns({ limit: 500 })).items.map((r) => [r.id, r.state]));
    for (const id of acknowledged) expect(finished.get(id), id).toBe('succeeded');
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease } from '../../common/protocol/leases.js';
import { LOG_GAP_PREFIX } from './log-cap.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const bytes = (s: string) => new TextEncoder().encode(s);

describe('per-run limits and result paths', () => {
  let h: Harness;
  let capsuleId: string;
  beforeAll(async () => {
    h = await startHarness({ limits: { maxLogLines: 10, maxLogBytes: 1000, maxResultFiles: 3, maxResultBytes: 100 } });
    capsuleId = (await h.researcher.createCapsule(exampleCapsule)).id;
  });
  afterAll(async () => {
    await h.close();
  });

  async function leased(): Promise<Lease> {
    await h.researcher.createRun({ capsuleId });
    const lease = await h.worker.lease({ queue: 'cpu', workerId: 'limits-test', waitMs: 2000 });
    if (!lease) throw new Error('no lease');
    return lease;
  }
  const upload = (lease: Lease, path: string, content: string) =>
    h.worker.uploadResult(lease.leaseId, path, { fencingToken: lease.fencingToken, sha256: sha(content), body: bytes(content) });
  const line = (i: number) => ({ stream: 'stdout' as const, ts: i, text: `line ${i}` });

  it('keeps the head and the latest lines of a long log, with a marker saying what was dropped', async () => {
    const lease = await leased();
    for (let offset = 0; offset < 40; offset += 8) {
      await h.worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset, lines: Array.from({ length: 8 }, (_, i) => line(offset + i + 1)) });
    }
    const page = await h.researcher.logs(lease.runId, { limit: 100 });
    const texts = page.items.map((l) => l.text);
    expect(texts.slice(0, 5)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(texts.slice(-5)).toEqual(['line 36', 'line 37', 'line 38', 'line 39', 'line 40']);
    expect(texts).toHaveLength(11);
    const marker = page.items[5]!;
    expect(marker.stream).toBe('stderr');
    expect(marker.text.startsWith(LOG_GAP_PREFIX)).toBe(true);
    expect(marker.text).toContain('30 lines (206 bytes)');
    expect(marker.text).toContain('limit of 10 lines');
    // Seqs stay in order across the gap, so paging with `after` reads head, marker, tail.
    expect(page.items.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 36, 37, 38, 39, 40]);
  });

  it('bounds log bytes the same way', async () => {
    const lease = await leased();
    const big = (i: number) => ({ stream: 'stdout' as const, ts: i, text: `${i}:${'x'.repeat(98)}` });
    await h.worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset: 0, lines: Array.from({ length: 4 }, (_, i) => big(i + 1)) });
    await h.worker.uploadLogs(lease.leaseId, { fencingToken: lease.fencingToken, offset: 4, lines: Array.from({ length: 4 }, (_, i) => big(i + 5)) });
    const page = await h.researcher.logs(lease.runId, { limit: 100 });
    const kept = page.items.filter((l) => !l.text.startsWith(LOG_GAP_PREFIX));
    expect(kept.reduce((n, l) => n + l.text.length, 0)).toBeLessThanOrEqual(1000);
    expect(kept.at(-1)?.text.startsWith('8:')).toBe(true);
    expect(kept[0]?.text.startsWith('1:')).toBe(true);
  });

  it('refuses result files past the per-run count and byte limits with 413 naming the limit', async () => {
    const lease = await leased();
    await upload(lease, 'a.txt', 'a'.repeat(40));
    await upload(lease, 'b.txt', 'b'.repeat(40));
    await expect(upload(lease, 'c.txt', 'c'.repeat(40))).rejects.toMatchObject({ status: 413, message: expect.stringContaining('maxResultBytes') });
    // Replacing a file frees its old bytes and its place.
    await upload(lease, 'b.txt', 'b'.repeat(10));
    await upload(lease, 'c.txt', 'c'.repeat(10));
    await expect(upload(lease, 'd.txt', 'd')).rejects.toMatchObject({ status: 413, message: expect.stringContaining('maxResultFiles') });
  });

  it('answers a file/folder clash with 409 naming both paths', async () => {
    const lease = await leased();
    await upload(lease, 'out', 'file');
    await expect(upload(lease, 'out/inner.txt', 'x')).rejects.toMatchObject({ status: 409, message: expect.stringContaining('"out/inner.txt" is inside "out"') });
    await upload(lease, 'plots/a.png', 'x');
    await expect(upload(lease, 'plots', 'x')).rejects.toMatchObject({ status: 409, message: expect.stringContaining('plots/a.png') });
  });

  it('answers a name over 255 bytes with 400 naming the limit', async () => {
    const lease = await leased();
    await expect(upload(lease, `dir/${'n'.repeat(256)}.txt`, 'x')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('at most 255') });
  });

  it('stores an NFD name as its NFC spelling and refuses a manifest naming both', async () => {
    const lease = await leased();
    const nfc = 'caf\u00e9.csv';
    const nfd = 'cafe\u0301.csv';
    const entry = await upload(lease, nfd, 'x');
    expect(entry.path).toBe(nfc);
    const files = [{ path: nfc, size: 1, sha256: sha('x') }, { path: nfd, size: 1, sha256: sha('x') }];
    await expect(h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0, results: { files } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('appears twice') });
    const done = await h.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [files[1]!] } });
    expect(done.results?.files.map((f) => f.path)).toEqual([nfc]);
  });

  it('refuses capsule files whose base64 content is not base64', async () => {
    await expect(h.researcher.commit(capsuleId, { message: 'bad bytes', files: [{ path: 'data.bin', content: '!!!', encoding: 'base64' }] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('base64'),
    });
  });
});

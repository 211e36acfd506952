import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatasetCache } from './dataset-cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchtop-dataset-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function blobOf(content: string) {
  return { sha256: createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content) };
}

/** A download that counts its calls and can be held open until released. */
function source(content: string) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const calls = { count: 0 };
  let hold = false;
  return {
    calls,
    holdUntilReleased() {
      hold = true;
    },
    release,
    download: async () => {
      calls.count += 1;
      if (hold) await held;
      return Readable.from([Buffer.from(content)]);
    },
  };
}

const cacheAt = (cacheDir: string, extra: Partial<ConstructorParameters<typeof DatasetCache>[0]> = {}) => new DatasetCache({ dir: cacheDir, lockPollMs: 10, ...extra });

describe('dataset cache', () => {
  it('two workers sharing the folder download a blob once, and each run gets it read-only', async () => {
    const content = 'a,b\n1,2\n';
    const blob = blobOf(content);
    const shared = join(dir, 'cache');
    const [first, second] = [cacheAt(shared), cacheAt(shared)];
    const origin = source(content);
    origin.holdUntilReleased();
    const a = first.materialize(blob, join(dir, 'run-a.csv'), origin.download);
    // The second worker asks while the first is still downloading: it waits on the lock.
    await vi.waitFor(() => expect(origin.calls.count).toBe(1), { timeout: 10_000, interval: 5 });
    const b = second.materialize(blob, join(dir, 'run-b.csv'), origin.download);
    await new Promise((r) => setTimeout(r, 50));
    origin.release();
    await Promise.all([a, b]);
    expect(origin.calls.count).toBe(1);
    for (const run of ['run-a.csv', 'run-b.csv']) {
      expect(readFileSync(join(dir, run), 'utf8')).toBe(content);
      expect(statSync(join(dir, run)).mode & 0o777).toBe(0o444);
    }
    expect(readdirSync(join(shared, 'blobs'))).toEqual([blob.sha256]);
    expect(readdirSync(join(shared, 'tmp'))).toEqual([]);
    expect(readdirSync(join(shared, 'locks'))).toEqual([]);
    // A later run on either worker finds it without downloading.
    await second.materialize(blob, join(dir, 'run-c.csv'), origin.download);
    expect(origin.calls.count).toBe(1);
  });

  it('refuses a corrupted cached blob and fetches it again', async () => {
    const content = 'the real bytes\n';
    const blob = blobOf(content);
    const shared = join(dir, 'cache');
    mkdirSync(join(shared, 'blobs'), { recursive: true });
    const path = join(shared, 'blobs', blob.sha256);
    writeFileSync(path, 'the rotten byte\n'.slice(0, blob.size));
    const log: string[] = [];
    const origin = source(content);
    await cacheAt(shared, { log: (m) => log.push(m) }).materialize(blob, join(dir, 'run.txt'), origin.download);
    expect(origin.calls.count).toBe(1);
    expect(readFileSync(join(dir, 'run.txt'), 'utf8')).toBe(content);
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(log[0]).toMatch(new RegExp(`^dataset cache: refusing ${blob.sha256}: the cached file has sha256 [0-9a-f]{64}; fetching it again$`));
  });

  it('refuses a blob whose download does not match its sha256, publishing nothing', async () => {
    const blob = blobOf('expected\n');
    const shared = join(dir, 'cache');
    await expect(cacheAt(shared).materialize(blob, join(dir, 'run.txt'), source('tampered\n').download)).rejects.toThrow(`the platform sent 9 bytes with sha256 ${blobOf('tampered\n').sha256} for blob ${blob.sha256}; not cached`);
    expect(readdirSync(join(shared, 'blobs'))).toEqual([]);
    expect(readdirSync(join(shared, 'tmp'))).toEqual([]);
    expect(readdirSync(join(shared, 'locks'))).toEqual([]);
  });

  it('takes over the download lock of a worker that died', async () => {
    const blob = blobOf('x\n');
    const shared = join(dir, 'cache');
    mkdirSync(join(shared, 'locks'), { recursive: true });
    const lock = join(shared, 'locks', blob.sha256);
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    const origin = source('x\n');
    await cacheAt(shared, { staleLockMs: 60_000 }).materialize(blob, join(dir, 'run.txt'), origin.download);
    expect(origin.calls.count).toBe(1);
    expect(readFileSync(join(dir, 'run.txt'), 'utf8')).toBe('x\n');
  });

  it('removes run folders left by workers that are gone, keeping recent ones', async () => {
    const shared = join(dir, 'cache');
    const cache = cacheAt(shared);
    const old = join(shared, 'runs', 'i-gone', 'run_1.3');
    const recent = join(shared, 'runs', 'i-alive', 'run_2.4');
    for (const folder of [old, recent]) mkdirSync(join(folder, 'd'), { recursive: true });
    const nineDaysAgo = new Date(Date.now() - 9 * 24 * 3_600_000);
    utimesSync(old, nineDaysAgo, nineDaysAgo);
    await cache.evict();
    expect(readdirSync(join(shared, 'runs', 'i-gone'))).toEqual([]);
    expect(readdirSync(join(shared, 'runs', 'i-alive'))).toEqual(['run_2.4']);
  });

  it('evicts the least recently used blobs over its cap; runs keep their links', async () => {
    const shared = join(dir, 'cache');
    const cache = cacheAt(shared, { maxBytes: 10 });
    const [one, two, three] = ['1111\n', '2222\n', '3333\n'];
    await cache.materialize(blobOf(one), join(dir, 'one'), source(one).download);
    await cache.materialize(blobOf(two), join(dir, 'two'), source(two).download);
    // one is used again, so two is now the least recently used.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(shared, 'blobs', blobOf(two).sha256), past, past);
    await cache.materialize(blobOf(one), join(dir, 'one-again'), source(one).download);
    await cache.materialize(blobOf(three), join(dir, 'three'), source(three).download);
    await cache.evict();
    expect(readdirSync(join(shared, 'blobs')).sort()).toEqual([blobOf(one).sha256, blobOf(three).sha256].sort());
    expect(readFileSync(join(dir, 'two'), 'utf8')).toBe(two);
  });

  const otherFilesystem = (() => {
    try {
      return statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? '/dev/shm' : null;
    } catch {
      return null;
    }
  })();

  it("links a run's file to the blob on the same filesystem", async () => {
    const content = 'linked\n';
    const shared = join(dir, 'cache');
    await cacheAt(shared).materialize(blobOf(content), join(dir, 'run.txt'), source(content).download);
    expect(statSync(join(dir, 'run.txt')).ino).toBe(statSync(join(shared, 'blobs', blobOf(content).sha256)).ino);
  });

  it.runIf(otherFilesystem)('copies, read-only, where a link cannot cross filesystems', async () => {
    const content = 'copied\n';
    const runs = mkdtempSync(join(otherFilesystem ?? '', 'benchtop-run-'));
    try {
      await cacheAt(join(dir, 'cache')).materialize(blobOf(content), join(runs, 'run.txt'), source(content).download);
      expect(readFileSync(join(runs, 'run.txt'), 'utf8')).toBe(content);
      expect(statSync(join(runs, 'run.txt')).nlink).toBe(1);
      expect(statSync(join(runs, 'run.txt')).mode & 0o777).toBe(0o444);
    } finally {
      rmSync(runs, { recursive: true, force: true });
    }
  });
});

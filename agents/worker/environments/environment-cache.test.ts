import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvironmentCache, folderBytes, USAGE_FILE } from './environment-cache.js';

// Lets a test hold an eviction in the middle of deleting an entry.
const removal = vi.hoisted(() => ({ hold: undefined as undefined | ((path: string) => Promise<void>) }));
vi.mock('../staging.js', async (original) => {
  const real = await original<typeof import('../staging.js')>();
  return { ...real, removeRunFolder: async (path: string) => (await removal.hold?.(path), real.removeRunFolder(path)) };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchtop-env-cache-'));
});
afterEach(() => {
  removal.hold = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A build that leaves `bytes` bytes in its folder. */
const fill = (bytes: number) => async (folder: string) => {
  writeFileSync(join(folder, 'payload'), Buffer.alloc(bytes));
  return { bytes };
};

/** Makes an entry look last used `minutesAgo` minutes ago. */
function usedAgo(cache: EnvironmentCache<unknown>, key: string, minutesAgo: number) {
  const when = new Date(Date.now() - minutesAgo * 60_000);
  utimesSync(join(cache.folder(key), 'environment.json'), when, when);
}

describe('environment cache', () => {
  it('builds an entry once and reuses it', async () => {
    const cache = new EnvironmentCache<{ bytes: number }>(dir, 10_000);
    let builds = 0;
    const build = async (folder: string) => {
      builds += 1;
      return fill(10)(folder);
    };
    const [a, b] = await Promise.all([cache.acquire('k', build), cache.acquire('k', build)]);
    const c = await cache.acquire('k', build);
    expect(builds).toBe(1);
    expect(c.reused).toBe(true);
    expect([a.value, b.value, c.value]).toEqual([{ bytes: 10 }, { bytes: 10 }, { bytes: 10 }]);
  });

  it('evicts least recently used entries not in use until it is under its bound, and records its size', async () => {
    const cache = new EnvironmentCache<{ bytes: number }>(dir, 2_600);
    const held = await cache.acquire('oldest-in-use', fill(1_000));
    (await cache.acquire('old', fill(1_000))).release();
    usedAgo(cache, 'oldest-in-use', 30);
    usedAgo(cache, 'old', 20);
    (await cache.acquire('new', fill(1_000))).release();
    // Three entries are over 2,600 bytes: the least recently used one not in
    // use goes; the older one a run holds stays.
    expect(existsSync(cache.folder('old'))).toBe(false);
    expect(existsSync(cache.folder('oldest-in-use'))).toBe(true);
    expect(existsSync(cache.folder('new'))).toBe(true);
    const usage = JSON.parse(readFileSync(join(dir, USAGE_FILE), 'utf8')) as { entries: number; bytes: number; maxBytes: number };
    expect(usage).toMatchObject({ entries: 2, maxBytes: 2_600 });
    expect(usage.bytes).toBeLessThanOrEqual(2_600);
    expect(usage.bytes, 'what the two entries hold, measured when built').toBe(2_000);
    expect(await folderBytes(cache.folder('new'))).toBeGreaterThanOrEqual(1_000);
    held.release();
    (await cache.acquire('newest', fill(1_000))).release();
    expect(existsSync(cache.folder('oldest-in-use')), 'released, it is the least recently used').toBe(false);
  });

  it('does not hand out an entry an eviction is deleting: it is built again', async () => {
    const cache = new EnvironmentCache<{ bytes: number }>(dir, 1_500);
    (await cache.acquire('a', fill(1_000))).release();
    usedAgo(cache, 'a', 10);
    let entered!: () => void;
    const deleting = new Promise<void>((resolve) => (entered = resolve));
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    removal.hold = async (path) => {
      if (path !== cache.folder('a')) return;
      entered();
      await resumed;
    };
    // Building b puts the cache over its bound: a, least recently used, is being deleted…
    const b = cache.acquire('b', fill(1_000));
    await deleting;
    // …when a run asks for a.
    const a = cache.acquire('a', fill(1_000));
    resume();
    await b;
    const entry = await a;
    expect(entry.reused).toBe(false);
    expect(existsSync(join(cache.folder('a'), 'environment.json'))).toBe(true);
  });

  it('throws a half-built entry away and builds it again', async () => {
    const cache = new EnvironmentCache<{ bytes: number }>(dir, 10_000);
    mkdirSync(cache.folder('k'), { recursive: true });
    writeFileSync(join(cache.folder('k'), 'left-by-a-dead-build'), 'x');
    const entry = await cache.acquire('k', fill(5));
    expect(entry.reused).toBe(false);
    expect(existsSync(join(cache.folder('k'), 'left-by-a-dead-build'))).toBe(false);
  });

  it('removes the folder of a failed build and tries again next time', async () => {
    const cache = new EnvironmentCache<{ bytes: number }>(dir, 10_000);
    await expect(cache.acquire('k', async () => Promise.reject(new Error('pip exited 1')))).rejects.toThrow('pip exited 1');
    expect(existsSync(cache.folder('k'))).toBe(false);
    expect((await cache.acquire('k', fill(5))).value).toEqual({ bytes: 5 });
  });
});

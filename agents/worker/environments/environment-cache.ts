import { mkdirSync, writeFileSync } from 'node:fs';
import { lstat, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeRunFolder } from '../staging.js';

/** The file that marks an entry complete; written last, so a crash mid-build leaves none. */
const MARKER = 'environment.json';
/** What the cache holds, for the app (the sandbox reads it from the worker's folder). */
export const USAGE_FILE = 'usage.json';

export interface CacheUsage {
  entries: number;
  bytes: number;
  maxBytes: number;
  updatedAt: string;
}

interface Marker<T> {
  sizeBytes: number;
  value: T;
}

/** Bytes a folder holds on disk (symbolic links counted as themselves, never followed). */
export async function folderBytes(path: string): Promise<number> {
  const info = await lstat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await folderBytes(join(path, name));
  return total;
}

/**
 * Built environments, one folder per key under `dir`, bounded: after each build the least
 * recently used entries are deleted while the cache holds more than `maxBytes` (an entry in use
 * by a run, or the one just built, is kept even then). Use is the marker's modification time.
 * One worker process per cache folder: builds are shared among its runs, not across processes.
 */
export class EnvironmentCache<T> {
  private readonly pending = new Map<string, Promise<T>>();
  private readonly inUse = new Map<string, number>();
  private evicting: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** The entry's folder, where `build` puts what it makes. */
  folder(key: string): string {
    return join(this.dir, key);
  }

  /**
   * The entry for `key`, built once by `build` when missing; the caller holds it until `release`.
   * A failed build is forgotten (the next run tries again) and its folder removed.
   */
  async acquire(key: string, build: (folder: string) => Promise<T>): Promise<{ value: T; reused: boolean; release: () => void }> {
    this.inUse.set(key, (this.inUse.get(key) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.inUse.get(key) ?? 1) - 1;
      if (left > 0) this.inUse.set(key, left);
      else this.inUse.delete(key);
    };
    try {
      // An eviction under way may have chosen this entry before it was in use and be deleting it
      // now: its marker may still be there, so it is read once that eviction is done.
      await this.evicting;
      const cached = await this.read(key);
      if (cached !== null) {
        await this.touch(key);
        return { value: cached, reused: true, release };
      }
      let entry = this.pending.get(key);
      if (!entry) {
        entry = this.buildOnce(key, build).finally(() => this.pending.delete(key));
        this.pending.set(key, entry);
      }
      const value = await entry;
      await this.evict();
      return { value, reused: false, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Deletes least recently used entries not in use while the cache is over its bound; records the usage. One at a time. */
  evict(): Promise<CacheUsage> {
    const next = this.evicting.then(() => this.evictNow());
    this.evicting = next.catch(() => undefined);
    return next;
  }

  private async evictNow(): Promise<CacheUsage> {
    const entries = await this.entries();
    let bytes = entries.reduce((sum, e) => sum + e.sizeBytes, 0);
    for (const entry of entries.sort((a, b) => a.usedAt - b.usedAt)) {
      if (bytes <= this.maxBytes) break;
      if (this.inUse.has(entry.key) || this.pending.has(entry.key)) continue;
      await removeRunFolder(this.folder(entry.key));
      bytes -= entry.sizeBytes;
    }
    const usage: CacheUsage = { entries: (await this.entries()).length, bytes, maxBytes: this.maxBytes, updatedAt: new Date().toISOString() };
    const temp = join(this.dir, `${USAGE_FILE}.${process.pid}`);
    await writeFile(temp, `${JSON.stringify(usage)}\n`);
    await rename(temp, join(this.dir, USAGE_FILE));
    return usage;
  }

  private async buildOnce(key: string, build: (folder: string) => Promise<T>): Promise<T> {
    const folder = this.folder(key);
    // A folder without its marker is what a build that died left: start again from nothing.
    await removeRunFolder(folder);
    mkdirSync(folder, { recursive: true });
    try {
      const value = await build(folder);
      const marker: Marker<T> = { sizeBytes: await folderBytes(folder), value };
      writeFileSync(join(folder, MARKER), `${JSON.stringify(marker)}\n`);
      return value;
    } catch (error) {
      await removeRunFolder(folder).catch(() => undefined);
      throw error;
    }
  }

  private async read(key: string): Promise<T | null> {
    const text = await readFile(join(this.folder(key), MARKER), 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      return (JSON.parse(text) as Marker<T>).value;
    } catch {
      return null;
    }
  }

  private async touch(key: string): Promise<void> {
    const now = new Date();
    await utimes(join(this.folder(key), MARKER), now, now).catch(() => undefined);
  }

  private async entries(): Promise<Array<{ key: string; sizeBytes: number; usedAt: number }>> {
    mkdirSync(this.dir, { recursive: true });
    const found: Array<{ key: string; sizeBytes: number; usedAt: number }> = [];
    for (const key of await readdir(this.dir)) {
      const path = join(this.folder(key), MARKER);
      const [info, text] = await Promise.all([stat(path).catch(() => null), readFile(path, 'utf8').catch(() => null)]);
      if (!info || text === null) continue;
      try {
        found.push({ key, sizeBytes: (JSON.parse(text) as Marker<T>).sizeBytes, usedAt: info.mtimeMs });
      } catch {
        // A damaged marker is an entry nobody can use; the next build of its key replaces it.
      }
    }
    return found;
  }
}

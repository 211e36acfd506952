import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sleep } from '../../lib/retry.js';
import { removeRunFolder } from './staging.js';

/** One file of a dataset version, as the manifest names it. */
export interface BlobRef {
  sha256: string;
  size: number;
}

export interface DatasetCacheOptions {
  /** Shared by every worker that mounts it (on AWS the EFS datasets access point). */
  dir: string;
  /** Least recently used blobs are deleted while the cache holds more than this. */
  maxBytes?: number;
  /** A download lock not refreshed for this long belongs to a worker that died; it is taken over. */
  staleLockMs?: number;
  /** Between two looks at a lock another worker holds. */
  lockPollMs?: number;
  log?: (message: string) => void;
}

const DEFAULT_STALE_LOCK_MS = 60_000;
const STALE_TEMP_MS = 60 * 60_000;
// Longer than the longest run (7 days): a run folder this old was left by a worker that is gone.
const STALE_RUN_MS = 8 * 24 * 3_600_000;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Dataset files stored once by sha256 under `<dir>/blobs/<sha256>`, for every worker sharing the
 * folder. A blob is downloaded to `tmp/`, checked, fsynced and renamed into place, so a reader never
 * sees a partial or unchecked file (rename is atomic on local filesystems and NFS alike). One worker
 * downloads a blob while the others wait on its `locks/<sha256>` file (created exclusively, which
 * NFSv4 makes atomic); a lock left by a dead worker goes stale and is taken over. Runs get
 * read-only hard links, or copies where a link cannot cross filesystems.
 */
export class DatasetCache {
  /** Runs' /data folders, `<worker>/<run>`: on the cache's filesystem, so blobs can be hard-linked. */
  readonly runsDir: string;
  private readonly blobs: string;
  private readonly temp: string;
  private readonly locks: string;
  private readonly pending = new Map<string, Promise<string>>();
  /** Blobs this process has hashed, by inode: a blob replaced since is checked again. */
  private readonly checked = new Map<string, number>();
  private readonly staleLockMs: number;
  private readonly lockPollMs: number;
  private readonly log: (message: string) => void;
  private evicting: Promise<void> | null = null;

  constructor(private readonly options: DatasetCacheOptions) {
    this.runsDir = join(options.dir, 'runs');
    this.blobs = join(options.dir, 'blobs');
    this.temp = join(options.dir, 'tmp');
    this.locks = join(options.dir, 'locks');
    this.staleLockMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
    this.lockPollMs = options.lockPollMs ?? 200;
    this.log = options.log ?? (() => undefined);
  }

  /** Puts the blob at `target` read-only, downloading it with `download` unless the cache holds it. */
  async materialize(blob: BlobRef, target: string, download: () => Promise<Readable>): Promise<void> {
    // A blob evicted by another worker between our look and our link is fetched again, once.
    for (let attempt = 0; ; attempt += 1) {
      const path = await this.blob(blob, download);
      try {
        await this.place(path, target);
        return;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt > 0) throw error;
        this.checked.delete(blob.sha256);
      }
    }
  }

  /** Deletes least recently used blobs while the cache is over its cap, and temp files and run folders left by dead workers. */
  evict(): Promise<void> {
    this.evicting ??= this.sweep().finally(() => {
      this.evicting = null;
    });
    return this.evicting;
  }

  private blob(blob: BlobRef, download: () => Promise<Readable>): Promise<string> {
    let entry = this.pending.get(blob.sha256);
    if (!entry) {
      entry = this.fetchOnce(blob, download).finally(() => this.pending.delete(blob.sha256));
      this.pending.set(blob.sha256, entry);
    }
    return entry;
  }

  private async fetchOnce(blob: BlobRef, download: () => Promise<Readable>): Promise<string> {
    await Promise.all([this.blobs, this.temp, this.locks].map((dir) => mkdir(dir, { recursive: true })));
    const path = join(this.blobs, blob.sha256);
    const lock = join(this.locks, blob.sha256);
    for (;;) {
      if (await this.usable(path, blob)) return path;
      const handle = await open(lock, 'wx').catch((error: unknown) => {
        if (errorCode(error) === 'EEXIST') return null;
        throw error;
      });
      if (handle) {
        await handle.close();
        try {
          // Another worker may have published it between our look and our lock.
          if (!(await this.usable(path, blob))) await this.download(blob, path, lock, download);
          return path;
        } finally {
          await rm(lock, { force: true });
        }
      }
      const held = await stat(lock).catch(() => null);
      if (held && Date.now() - held.mtimeMs > this.staleLockMs) {
        this.log(`dataset cache: taking over the stale download lock of ${blob.sha256}`);
        await rm(lock, { force: true });
      } else if (held) {
        await sleep(this.lockPollMs);
      }
    }
  }

  /** Whether the published blob is there and sound; a corrupt one is deleted so it is fetched again. */
  private async usable(path: string, blob: BlobRef): Promise<boolean> {
    const info = await stat(path).catch(() => null);
    if (!info) return false;
    if (this.checked.get(blob.sha256) !== info.ino) {
      const digest = info.size === blob.size ? await sha256Of(path) : null;
      if (digest !== blob.sha256) {
        this.log(`dataset cache: refusing ${blob.sha256}: the cached file has ${digest ? `sha256 ${digest}` : `${info.size} bytes, expected ${blob.size}`}; fetching it again`);
        await rm(path, { force: true });
        return false;
      }
      this.checked.set(blob.sha256, info.ino);
    }
    // Used now: least recently used is judged by modification time (atime is often not kept).
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
    return true;
  }

  private async download(blob: BlobRef, path: string, lock: string, download: () => Promise<Readable>): Promise<void> {
    const temp = join(this.temp, `${blob.sha256}.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`);
    // The lock's modification time says its holder is alive.
    const refresh = setInterval(() => {
      const now = new Date();
      void utimes(lock, now, now).catch(() => undefined);
    }, Math.max(1, Math.floor(this.staleLockMs / 3)));
    const handle = await open(temp, 'wx', 0o644);
    try {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await download()) {
        const bytes = chunk as Buffer;
        hash.update(bytes);
        size += bytes.length;
        await handle.write(bytes);
      }
      const digest = hash.digest('hex');
      if (digest !== blob.sha256) throw new Error(`the platform sent ${size} bytes with sha256 ${digest} for blob ${blob.sha256}; not cached`);
      await handle.sync();
      await handle.close();
      await chmod(temp, 0o444);
      await rename(temp, path);
      this.checked.set(blob.sha256, (await stat(path)).ino);
      this.log(`dataset cache: downloaded ${blob.sha256} (${size} bytes)`);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    } finally {
      clearInterval(refresh);
    }
  }

  private async place(path: string, target: string): Promise<void> {
    try {
      await link(path, target);
    } catch (error) {
      // Across filesystems (EXDEV) or a blob another user owns under protected_hardlinks (EPERM).
      if (errorCode(error) !== 'EXDEV' && errorCode(error) !== 'EPERM') throw error;
      await copyFile(path, target);
      await chmod(target, 0o444);
    }
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.temp).catch(() => [])) {
      const path = join(this.temp, name);
      const info = await stat(path).catch(() => null);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
    }
    for (const worker of await readdir(this.runsDir).catch(() => [])) {
      for (const name of await readdir(join(this.runsDir, worker)).catch(() => [])) {
        const path = join(this.runsDir, worker, name);
        const info = await stat(path).catch(() => null);
        if (info && now - info.mtimeMs > STALE_RUN_MS) await removeRunFolder(path);
      }
    }
    const { maxBytes } = this.options;
    if (maxBytes === undefined) return;
    const entries = [];
    for (const name of await readdir(this.blobs).catch(() => [])) {
      const info = await stat(join(this.blobs, name)).catch(() => null);
      if (info) entries.push({ name, size: info.size, used: info.mtimeMs });
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= maxBytes) break;
      // Runs holding a hard link keep their copy; a worker about to link it fetches it again.
      await rm(join(this.blobs, entry.name), { force: true });
      this.checked.delete(entry.name);
      total -= entry.size;
      this.log(`dataset cache: evicted ${entry.name} (${entry.size} bytes, least recently used)`);
    }
  }
}

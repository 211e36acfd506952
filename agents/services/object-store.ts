import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DirectUploads } from './direct-uploads.js';
import { HttpError, badInput, conflict } from './http-error.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-paths.js';

/** Where file contents live: a folder in the sandbox, S3 on AWS. Keys are "a/b/c" paths. */
export interface ObjectStore {
  /**
   * Streams `body` in, hashing it on the way. With `sha256` the object is kept only when the
   * bytes match (else 400 and nothing stored); `maxBytes` bounds the upload (413).
   */
  put(key: string, body: Readable, expect?: { sha256?: string; maxBytes?: number }): Promise<{ size: number; sha256: string }>;
  get(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
  /** Present when clients may send bytes to storage themselves (pre-signed multipart, S3). */
  readonly directUploads?: DirectUploads;
}

/** Copies `body` into a new file under `tmpDir` (fsynced), with its size and sha256. */
export async function spool(tmpDir: string, body: Readable, maxBytes = Number.MAX_SAFE_INTEGER): Promise<{ file: string; size: number; sha256: string }> {
  await mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const file = join(tmpDir, `upload-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new HttpError('bad-input', `the upload is larger than ${maxBytes} bytes`, 413));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file, { mode: PRIVATE_FILE_MODE }));
    const handle = await open(file, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { file, size, sha256: hash.digest('hex') };
}

/** Makes a rename durable: the new directory entry reaches the disk, not only the file's bytes. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function checkDigest(actual: string, expected: string | undefined): void {
  if (expected && actual !== expected) throw badInput(`the bytes received hash to sha256 ${actual}, not ${expected}; the upload was corrupted or the digest is wrong`);
}

/** A key that the folder tree cannot hold (a file where a folder must be, or the reverse) is the caller's clash, not a fault. */
function clash(key: string, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOTDIR' || error.code === 'EEXIST' || error.code === 'EISDIR') return conflict(`"${key}" clashes with a file or folder already stored there`);
  if (error.code === 'ENAMETOOLONG') return badInput(`"${key}" has a name longer than this filesystem allows`);
  return error;
}

/** Objects as files under one folder; written to a temporary file, fsynced, then renamed in place. */
export class FolderObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Readable, expect: { sha256?: string; maxBytes?: number } = {}) {
    const spooled = await spool(join(this.root, '.tmp'), body, expect.maxBytes);
    try {
      checkDigest(spooled.sha256, expect.sha256);
      const target = this.path(key);
      await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE }).catch((error: NodeJS.ErrnoException) => {
        throw clash(key, error);
      });
      await rename(spooled.file, target).catch((error: NodeJS.ErrnoException) => {
        throw clash(key, error);
      });
      await syncDir(dirname(target));
    } finally {
      await rm(spooled.file, { force: true });
    }
    return { size: spooled.size, sha256: spooled.sha256 };
  }

  async get(key: string): Promise<Readable | null> {
    const file = this.path(key);
    try {
      if (!(await stat(file)).isFile()) return null;
    } catch {
      return null;
    }
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

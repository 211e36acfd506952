import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FileEntry, ResultsManifest } from '../../common/protocol/index.js';

export interface ResultFile extends FileEntry {
  absolute: string;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Every regular file under the results folder, with size and sha256, sorted by path. Symbolic
 * links are skipped and reported (following one would upload a file from outside the run), and so
 * are names with a backslash, which the protocol does not accept.
 */
export async function collectResults(dir: string, skipped: (path: string) => void): Promise<ResultFile[]> {
  const files: ResultFile[] = [];
  async function walk(relative: string): Promise<void> {
    for (const name of (await readdir(join(dir, relative))).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const absolute = join(dir, path);
      // The protocol's paths use "/" as their only separator.
      if (name.includes('\\')) {
        skipped(path);
        continue;
      }
      const info = await lstat(absolute);
      if (info.isDirectory()) await walk(path);
      else if (info.isFile()) files.push({ path, size: info.size, sha256: await sha256File(absolute), absolute });
      else skipped(path);
    }
  }
  await walk('');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

export type UploadFile = (file: FileEntry, body: ReadableStream<Uint8Array>) => Promise<unknown>;

/** Uploads each file (streamed) and answers the manifest that `complete` carries. */
export async function uploadResults(files: readonly ResultFile[], upload: UploadFile): Promise<ResultsManifest> {
  for (const file of files) {
    await upload({ path: file.path, size: file.size, sha256: file.sha256 }, Readable.toWeb(createReadStream(file.absolute)) as ReadableStream<Uint8Array>);
  }
  return { files: files.map(({ path, size, sha256 }) => ({ path, size, sha256 })) };
}

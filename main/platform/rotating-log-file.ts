import { type FileHandle, open, rename, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface RotationLimits {
  /** A file is rotated once it holds this many bytes (at the end of a line). */
  maxBytes: number;
  /** Rotated files kept besides the current one: `<path>.1` (newest) … `<path>.<kept>`. */
  kept: number;
}

/** 10 MiB × 3 files: a chatty agent at info level never fills the disk. */
export const AGENT_LOG_LIMITS: RotationLimits = { maxBytes: 10 * 1024 * 1024, kept: 2 };

const NEWLINE = 0x0a;

/**
 * An append-only log file rotated by size: when `path` reaches `maxBytes` it becomes `path.1`
 * (`path.1` becomes `path.2`, …, the oldest is dropped) and a new `path` is started. Rotation
 * happens only after a newline, so a line is never split between two files (a reader following
 * the files by inode, main/observe/local/log-files.ts, sees each line once), except a line longer
 * than two files, which is cut into lines of that length (a file holds at most 2 × `maxBytes` + 1
 * bytes); a rotated file is closed before it is renamed, so nothing is written to it afterwards.
 */
export function createRotatingLogFile(path: string, limits: RotationLimits = AGENT_LOG_LIMITS): Writable {
  let handle: FileHandle | undefined;
  let size = 0;
  // Whether the file ends with a whole line, so it may be rotated now.
  let atLineStart = true;

  const openCurrent = async () => {
    handle = await open(path, 'a+', 0o600);
    size = (await handle.stat()).size;
    const last = Buffer.alloc(1);
    atLineStart = size === 0 || ((await handle.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] === NEWLINE);
  };

  const rotate = async () => {
    await handle?.close();
    handle = undefined;
    for (let n = limits.kept; n >= 1; n -= 1) {
      const from = n === 1 ? path : `${path}.${n - 1}`;
      // A rotated file not there yet (the first rotations) is nothing to move.
      if (await stat(from).then(() => true, () => false)) await rename(from, `${path}.${n}`);
    }
    await openCurrent();
  };

  const write = async (bytes: Buffer) => {
    await handle!.write(bytes);
    size += bytes.length;
    atLineStart = bytes.at(-1) === NEWLINE;
  };

  const append = async (bytes: Buffer) => {
    if (!handle) await openCurrent();
    let rest = bytes;
    while (rest.length > 0) {
      const room = limits.maxBytes - size;
      if (rest.length <= room) {
        await write(rest);
        return;
      }
      // It does not fit: end this file after the last whole line that does.
      let cut = rest.subarray(0, Math.max(0, room)).lastIndexOf(NEWLINE) + 1;
      if (cut === 0 && atLineStart && size > 0) {
        await rotate();
        continue;
      }
      // The line under way is finished first (a line longer than a whole file goes on whole), up to
      // twice a file's worth: output that never ends a line is cut there, or the disk would fill.
      if (cut === 0) cut = rest.indexOf(NEWLINE) + 1 || rest.length;
      const most = Math.max(0, 2 * limits.maxBytes - size);
      if (cut > most) {
        await write(Buffer.concat([rest.subarray(0, most), Buffer.from('\n')]));
        rest = rest.subarray(most);
        await rotate();
        continue;
      }
      await write(rest.subarray(0, cut));
      rest = rest.subarray(cut);
    }
  };

  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      append(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)).then(() => done(), done);
    },
    final(done) {
      (handle ? handle.close() : Promise.resolve()).then(() => done(), done);
    },
  });
}

import type { Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../../common/api/errors.js';
import type { ObservedLine } from '../../../common/api/observe.contract.js';
import type { LineBatcher } from '../line-batcher.js';
import { textFilter } from '../line-batcher.js';
import { sleep } from '../../../lib/retry.js';

/** The sandbox's log "groups": the services agent, its workers, the supervisor's own notes. */
export const LOCAL_GROUPS = [
  { id: 'services', label: 'Services agent', match: (f: string) => f === 'services.log' },
  { id: 'workers', label: 'Workers', match: (f: string) => /^worker-\d+\.log$/.test(f) },
  { id: 'sandbox', label: 'Sandbox supervisor', match: (f: string) => f === 'sandbox.log' },
] as const;

function groupOf(id: string) {
  const group = LOCAL_GROUPS.find((g) => g.id === id);
  if (!group) throw new ApiError('bad-input', `The sandbox has no log group "${id}".`, `Pick one of: ${LOCAL_GROUPS.map((g) => g.id).join(', ')}.`);
  return group;
}

function refuseStructured(pattern: string | undefined): void {
  const p = (pattern ?? '').trim();
  if (p.startsWith('{') || p.startsWith('[')) {
    throw new ApiError('bad-input', 'The sandbox matches filter patterns as plain text only.', 'Use words or "a quoted phrase" (and -word to leave lines out); JSON and column patterns work on a deployed stack.');
  }
}

/** Refuses (bad-input) a group the sandbox does not have, or a pattern only CloudWatch understands. */
export function checkLocalQuery(group: string, filterPattern: string | undefined): void {
  groupOf(group);
  refuseStructured(filterPattern);
}

/** The files of a group (its "streams"), newest first by modification time. */
export async function listLocalStreams(logsDir: string, groupId: string): Promise<{ name: string; lastEventAt: number }[]> {
  const group = groupOf(groupId);
  const files = (await readdir(logsDir).catch(() => [] as string[])).filter((f) => group.match(f));
  // A file listed but gone by its stat is being rotated (renamed, its successor not yet created): left out this once.
  const withTimes = await Promise.all(files.map(async (name) => ({ name, info: await stat(join(logsDir, name)).catch(() => undefined) })));
  return withTimes.flatMap(({ name, info }) => (info ? [{ name, lastEventAt: info.mtimeMs }] : [])).sort((a, b) => b.lastEventAt - a.lastEventAt);
}

async function chosenFiles(logsDir: string, groupId: string, streams: readonly string[] | undefined): Promise<string[]> {
  const all = (await listLocalStreams(logsDir, groupId)).map((s) => s.name);
  return streams && streams.length > 0 ? all.filter((f) => streams.includes(f)) : all;
}

/** How much of each file's end is shown when a follow starts: the recent past, not the whole file. */
const TAIL_BYTES = 64 * 1024;
const POLL_MS = 250;
const MAX_READ = 1024 * 1024;

export interface LocalFollowOptions {
  logsDir: string;
  group: string;
  streams?: readonly string[];
  filterPattern?: string;
  batcher: LineBatcher;
  signal: AbortSignal;
  pollMs?: number;
}

/** Where a stream has been read to: the file (by inode and birth time, which a rename keeps) and the offset in it. */
interface StreamPosition {
  /** `dev:ino:birth` of the file being read; undefined before the stream's first file. */
  file: string | undefined;
  offset: number;
  /** The end of the last read after its last newline: the start of a line still being written. */
  partial: string;
  /** The read began mid-file (a tail): its first line is a fragment, left out. */
  fragment: boolean;
  /**
   * Files of the stream read to their end (rotated ones, or older than the tail), never read again,
   * with the size and modification time they ended at: without birth times (a filesystem that
   * records none reports 0) a new file that got a dropped one's inode has the same id, and only
   * these tell it apart.
   */
  done: Map<string, string>;
  /** Size and modification time of the file being read, when it was last looked at. */
  stamp: string;
  /** The file being read was not found at the last poll (renamed while the folder was listed, or gone). */
  missing: boolean;
}

/**
 * Follows the sandbox's log files as Live Tail follows a group: the last 64 KiB of each file, then
 * every line appended, read every 250 ms from where the previous read ended. A stream is its file
 * and the files it was rotated to (main/platform/rotating-log-file.ts: `services.log.1`, …), known
 * by inode: after a rotation the rest of the old file is read (now `.1`), then the new one from its
 * start, so no line is lost or read twice; a file that shrank (truncated) is read again from its
 * start. A line's time is its own when it says one (the agent's JSON `time`, a leading ISO time),
 * else when it was read (the tail: the file's modification time).
 */
export async function followLocalLogs(options: LocalFollowOptions): Promise<void> {
  checkLocalQuery(options.group, options.filterPattern);
  const matches = textFilter(options.filterPattern);
  const positions = new Map<string, StreamPosition>();
  options.batcher.tell({ mode: 'file' });
  let first = true;
  while (!options.signal.aborted) {
    const names = await readdir(options.logsDir).catch(() => [] as string[]);
    for (const stream of await chosenFiles(options.logsDir, options.group, options.streams)) {
      const emit = (text: string, fallback: number) => {
        if (text && matches(text)) options.batcher.add({ ts: lineTime(text) ?? fallback, stream, text });
      };
      await readStream(options.logsDir, stream, rotatedFiles(names, stream), positions, first, emit);
    }
    first = false;
    await sleep(options.pollMs ?? POLL_MS, options.signal).catch(() => undefined);
  }
}

/** A stream's files, oldest first: `<name>.<n>` … `<name>.1`, then `<name>`. */
function rotatedFiles(names: readonly string[], stream: string): string[] {
  const rotated = names.flatMap((n) => {
    const m = n.startsWith(`${stream}.`) ? /^\d+$/.exec(n.slice(stream.length + 1)) : null;
    return m ? [{ n, index: Number(m[0]) }] : [];
  });
  return [...rotated.sort((a, b) => b.index - a.index).map((r) => r.n), stream];
}

async function readStream(logsDir: string, stream: string, files: readonly string[], positions: Map<string, StreamPosition>, first: boolean, emit: (text: string, fallback: number) => void): Promise<void> {
  let position = positions.get(stream);
  if (!position) {
    position = { file: undefined, offset: 0, partial: '', fragment: false, done: new Map(), stamp: '', missing: false };
    positions.set(stream, position);
  }
  let seen = false;
  for (const [i, name] of files.entries()) {
    const handle = await open(join(logsDir, name), 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      // The handle's file, not the name's: a rotation between listing and opening renames only.
      // A new file often gets the inode number of the one just dropped; its birth time differs.
      const info = await handle.stat();
      const file = `${info.dev}:${info.ino}:${info.birthtimeMs}`;
      const stamp = `${info.size}:${info.mtimeMs}`;
      if (file !== position.file && position.done.get(file) === stamp) continue;
      if (position.file === undefined && first) {
        // A follow starts with the recent past: the end of the current file, none of the rotated ones.
        if (i < files.length - 1) {
          position.done.set(file, stamp);
          continue;
        }
        Object.assign(position, { file, offset: Math.max(0, info.size - TAIL_BYTES) });
        position.fragment = position.offset > 0;
      }
      if (position.file === file) seen = true;
      else if (position.file !== undefined && !seen && !position.missing) {
        // The file being read is not where the folder said (a rotation while listing it): look
        // again at the next poll rather than skip the rest of it.
        position.missing = true;
        break;
      }
      if (position.file !== file) {
        // On to a newer file: what the previous one ended with, without a newline, was a whole line.
        if (position.partial && !position.fragment) emit(position.partial, Date.now());
        if (position.file !== undefined) {
          position.done.delete(position.file);
          position.done.set(position.file, position.stamp);
        }
        position.done.delete(file);
        Object.assign(position, { file, offset: 0, partial: '', fragment: false });
        seen = true;
      }
      position.missing = false;
      position.stamp = stamp;
      if (info.size < position.offset) Object.assign(position, { offset: 0, partial: '', fragment: false });
      if (info.size === position.offset) continue;
      const length = Math.min(MAX_READ, info.size - position.offset);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position.offset);
      position.offset += bytesRead;
      const lines = (position.partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      position.partial = lines.pop() ?? '';
      if (position.fragment && lines.length > 0) {
        lines.shift();
        position.fragment = false;
      }
      const fallback = first ? info.mtimeMs : Date.now();
      for (const line of lines) emit(line, fallback);
      // More than one read's worth is left: the rest (and any newer file) at the next poll.
      if (position.offset < info.size) break;
    } finally {
      await handle.close();
    }
  }
  // Files rotated out of the folder need not be remembered.
  if (position.done.size > files.length) position.done = new Map([...position.done].slice(-files.length));
}

/** The time a log line says it was written: the services agent's JSON `time` (epoch ms), or a leading ISO time (the supervisor's notes). */
export function lineTime(text: string): number | undefined {
  // The first "time" (pino writes its own second), not one in an object the line logs.
  const json = /^\{.*?"time":(\d{12,14})[,}]/.exec(text);
  if (json) return Number(json[1]);
  const iso = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/.exec(text);
  return iso ? Date.parse(iso[1]!) : undefined;
}

async function readRange(path: string, from: number, length: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** How much of a stream (its file and the files it was rotated to) a download reads, newest kept. */
const DOWNLOAD_BYTES = 64 * MAX_READ;

/**
 * The times of a file's lines: each its own when it says one; a line that says none (a stack
 * trace, a worker's note) takes the time of the timed line before it, or else after it; a file
 * with no timed line at all counts as written from its birth to its last change.
 */
function timesOf(lines: readonly string[], born: number, changed: number): { at: number[]; span?: [number, number] } {
  const at = lines.map((l) => lineTime(l) ?? Number.NaN);
  let last = Number.NaN;
  for (let i = 0; i < at.length; i += 1) at[i] = Number.isNaN(at[i]!) ? last : (last = at[i]!);
  const firstTimed = at.find((t) => !Number.isNaN(t));
  if (firstTimed === undefined) return { at: at.map(() => changed), span: [born, changed] };
  return { at: at.map((t) => (Number.isNaN(t) ? firstTimed : t)) };
}

/**
 * Every matching line of the group's files written from `from` to `to` (epoch ms, inclusive), for
 * a download: each stream's rotated files oldest first, then its current one (the newest 64 MiB).
 */
export async function readLocalLogs(logsDir: string, group: string, streams: readonly string[] | undefined, filterPattern: string | undefined, limit: number, range: { from: number; to: number } = { from: 0, to: Number.MAX_SAFE_INTEGER }): Promise<{ lines: ObservedLine[]; truncated: boolean }> {
  refuseStructured(filterPattern);
  const matches = textFilter(filterPattern);
  const out: ObservedLine[] = [];
  const names = await readdir(logsDir).catch(() => [] as string[]);
  for (const stream of await chosenFiles(logsDir, group, streams)) {
    // Newest first, while the byte budget lasts; then read oldest first.
    const files: { name: string; info: Stats; take: number }[] = [];
    let left = DOWNLOAD_BYTES;
    for (const name of rotatedFiles(names, stream).reverse()) {
      const info = left > 0 ? await stat(join(logsDir, name)).catch(() => undefined) : undefined;
      if (!info) continue;
      const take = Math.min(info.size, left);
      left -= take;
      files.unshift({ name, info, take });
    }
    for (const { name, info, take } of files) {
      const text = await readRange(join(logsDir, name), info.size - take, take);
      const lines = text.split('\n');
      // A read that starts mid-file starts with a fragment.
      if (info.size > take) lines.shift();
      const { at, span } = timesOf(lines, info.birthtimeMs || 0, info.mtimeMs);
      if (span && (span[1] < range.from || span[0] > range.to)) continue;
      for (const [i, line] of lines.entries()) {
        if (!line || !matches(line)) continue;
        if (!span && (at[i]! < range.from || at[i]! > range.to)) continue;
        if (out.length >= limit) return { lines: out, truncated: true };
        out.push({ seq: out.length + 1, ts: at[i]!, stream, text: line });
      }
    }
  }
  return { lines: out, truncated: false };
}

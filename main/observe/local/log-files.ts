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
  const withTimes = await Promise.all(files.map(async (name) => ({ name, lastEventAt: (await stat(join(logsDir, name))).mtimeMs })));
  return withTimes.sort((a, b) => b.lastEventAt - a.lastEventAt);
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

/**
 * Follows the sandbox's log files as Live Tail follows a group: the last 64 KiB of each file, then
 * every line appended, read every 250 ms from where the previous read ended (a file that shrank —
 * truncated or replaced — is read again from its start). Lines have no time of their own: each
 * gets the time it was read (the tail: the file's modification time).
 */
export async function followLocalLogs(options: LocalFollowOptions): Promise<void> {
  checkLocalQuery(options.group, options.filterPattern);
  const matches = textFilter(options.filterPattern);
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  options.batcher.tell({ mode: 'file' });
  let first = true;
  while (!options.signal.aborted) {
    for (const name of await chosenFiles(options.logsDir, options.group, options.streams)) {
      const path = join(options.logsDir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      let from = offsets.get(name);
      if (from === undefined) from = first ? Math.max(0, info.size - TAIL_BYTES) : 0;
      if (info.size < from) {
        from = 0;
        partial.delete(name);
      }
      if (info.size === from) {
        offsets.set(name, from);
        continue;
      }
      const length = Math.min(MAX_READ, info.size - from);
      const text = await readRange(path, from, length);
      offsets.set(name, from + length);
      const lines = ((partial.get(name) ?? '') + text).split('\n');
      partial.set(name, lines.pop() ?? '');
      // The first line of a tail that starts mid-file is a fragment.
      if (first && from > 0) lines.shift();
      const ts = first ? info.mtimeMs : Date.now();
      for (const line of lines) if (line && matches(line)) options.batcher.add({ ts, stream: name, text: line });
    }
    first = false;
    await sleep(options.pollMs ?? POLL_MS, options.signal).catch(() => undefined);
  }
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

/** Every matching line of the group's files, for a download (the files' lines have no times: the range is not applied). */
export async function readLocalLogs(logsDir: string, group: string, streams: readonly string[] | undefined, filterPattern: string | undefined, limit: number): Promise<{ lines: ObservedLine[]; truncated: boolean }> {
  refuseStructured(filterPattern);
  const matches = textFilter(filterPattern);
  const out: ObservedLine[] = [];
  for (const name of await chosenFiles(logsDir, group, streams)) {
    const info = await stat(join(logsDir, name));
    const text = await readRange(join(logsDir, name), Math.max(0, info.size - 64 * MAX_READ), Math.min(info.size, 64 * MAX_READ));
    for (const line of text.split('\n')) {
      if (!line || !matches(line)) continue;
      if (out.length >= limit) return { lines: out, truncated: true };
      out.push({ seq: out.length + 1, ts: info.mtimeMs, stream: name, text: line });
    }
  }
  return { lines: out, truncated: false };
}

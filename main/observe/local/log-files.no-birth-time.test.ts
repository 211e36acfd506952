import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Batch, LineBatcher } from '../line-batcher.js';
import { createRotatingLogFile } from '../../platform/rotating-log-file.js';
import { followLocalLogs } from './log-files.js';

// A filesystem that records no birth time (statx without STATX_BTIME): Node reports 0 for every
// file, so a file is known by its inode alone, and a new file often gets the inode just freed.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args: Parameters<typeof fs.open>) => {
    const handle = await fs.open(...args);
    const realStat = handle.stat.bind(handle);
    handle.stat = (async (opts?: object) => Object.assign(await realStat(opts as never), { birthtimeMs: 0 })) as typeof handle.stat;
    return handle;
  };
  return { ...fs, open, default: { ...fs, open } };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'observe-logs-nobirth-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('the sandbox log files, on a filesystem without birth times', () => {
  it('reads on across rotations that reuse a dropped file\'s inode, no line lost or read twice', async () => {
    const path = join(dir, 'services.log');
    writeFileSync(path, 'before the follow\n');
    const log = createRotatingLogFile(path, { maxBytes: 200, kept: 2 });
    const batches: Batch[] = [];
    const controller = new AbortController();
    const batcher = new LineBatcher((b) => batches.push(b), 5);
    const done = followLocalLogs({ logsDir: dir, group: 'services', batcher, signal: controller.signal, pollMs: 10 });
    const texts = () => batches.flatMap((b) => b.lines.map((l) => l.text));
    await until(() => texts().includes('before the follow'));
    const written: string[] = [];
    let n = 0;
    // One rotation per burst (files of about ten lines): each drops the oldest file, whose inode
    // the new file then usually gets.
    for (let burst = 0; burst < 12; burst += 1) {
      for (let i = 0; i < 10; i += 1) {
        n += 1;
        written.push(`line ${String(n).padStart(3, '0')} ${'x'.repeat(6)}`);
        log.write(`${written.at(-1)!}\n`);
      }
      await new Promise((r) => log.write('', r));
      await until(() => texts().length === written.length + 1);
    }
    await new Promise<void>((r) => log.end(r));
    controller.abort();
    await done;
    batcher.stop();
    expect(texts()).toEqual(['before the follow', ...written]);
  });
});

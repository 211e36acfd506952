import { appendFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Batch, LineBatcher, textFilter } from '../line-batcher.js';
import { createRotatingLogFile } from '../../platform/rotating-log-file.js';
import { followLocalLogs, lineTime, listLocalStreams, readLocalLogs } from './log-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'observe-logs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('the sandbox log files', () => {
  it('lists a group\'s files as its streams', async () => {
    writeFileSync(join(dir, 'services.log'), 'a\n');
    writeFileSync(join(dir, 'worker-1.log'), 'b\n');
    writeFileSync(join(dir, 'worker-2.log'), 'c\n');
    expect((await listLocalStreams(dir, 'workers')).map((s) => s.name).sort()).toEqual(['worker-1.log', 'worker-2.log']);
    await expect(listLocalStreams(dir, 'nope')).rejects.toMatchObject({ code: 'bad-input' });
  });

  it('leaves out a file listed but gone by the time it is looked at (renamed by a rotation), rather than failing', async () => {
    writeFileSync(join(dir, 'worker-1.log'), 'b\n');
    // A name the folder lists that no longer leads to a file: the moment between a rotation's rename and its new file.
    symlinkSync(join(dir, 'renamed-away'), join(dir, 'worker-2.log'));
    expect((await listLocalStreams(dir, 'workers')).map((s) => s.name)).toEqual(['worker-1.log']);
    await expect(readLocalLogs(dir, 'workers', undefined, undefined, 10)).resolves.toMatchObject({ lines: [{ text: 'b' }] });
  });

  it('follows the tail, then every appended line in order, numbered, filtered, across a truncation', async () => {
    writeFileSync(join(dir, 'services.log'), 'old ready\nold noise\n');
    const batches: Batch[] = [];
    const controller = new AbortController();
    const batcher = new LineBatcher((b) => batches.push(b), 5);
    const done = followLocalLogs({ logsDir: dir, group: 'services', filterPattern: 'ready -noise', batcher, signal: controller.signal, pollMs: 10 });
    const texts = () => batches.flatMap((b) => b.lines.map((l) => l.text));
    await until(() => texts().includes('old ready'));
    appendFileSync(join(dir, 'services.log'), 'new ready 1\nnoise ready\nnew ready 2\n');
    await until(() => texts().includes('new ready 2'));
    writeFileSync(join(dir, 'services.log'), 'after truncation ready\n');
    await until(() => texts().includes('after truncation ready'));
    controller.abort();
    await done;
    batcher.stop();
    expect(batches[0]!.mode).toBe('file');
    expect(texts()).toEqual(['old ready', 'new ready 1', 'new ready 2', 'after truncation ready']);
    const seqs = batches.flatMap((b) => b.lines.map((l) => l.seq));
    expect(seqs).toEqual([1, 2, 3, 4]);
  });

  it('reads on across rotations of the file, no line lost or read twice', async () => {
    const path = join(dir, 'services.log');
    writeFileSync(path, 'before the follow\n');
    // Files of about ten lines, three kept: a burst may rotate twice before the next poll.
    const log = createRotatingLogFile(path, { maxBytes: 200, kept: 2 });
    const batches: Batch[] = [];
    const controller = new AbortController();
    const batcher = new LineBatcher((b) => batches.push(b), 5);
    const done = followLocalLogs({ logsDir: dir, group: 'services', batcher, signal: controller.signal, pollMs: 10 });
    const texts = () => batches.flatMap((b) => b.lines.map((l) => l.text));
    await until(() => texts().includes('before the follow'));
    const written: string[] = [];
    let n = 0;
    for (const burst of [1, 7, 25, 3, 12, 20, 2, 9, 25, 14, 6, 18]) {
      for (let i = 0; i < burst; i += 1) {
        n += 1;
        written.push(`line ${n} ${'x'.repeat(n % 7)}`);
        log.write(`${written.at(-1)!}\n`);
      }
      await new Promise((r) => log.write('', r));
      // The next burst once this one is seen: rotations land between polls and, at times, during one.
      await until(() => texts().length === written.length + 1);
    }
    await new Promise<void>((r) => log.end(r));
    controller.abort();
    await done;
    batcher.stop();
    expect(texts()).toEqual(['before the follow', ...written]);
    expect(batches.flatMap((b) => b.lines.map((l) => l.stream)).every((s) => s === 'services.log')).toBe(true);
    expect((await listLocalStreams(dir, 'services')).map((s) => s.name)).toEqual(['services.log']);
  });

  it('gives a line the time it says it was written', () => {
    expect(lineTime('{"level":30,"time":1764590400123,"pid":7,"msg":"incoming request"}')).toBe(1764590400123);
    expect(lineTime('2026-12-01T11:28:07.151Z workers use the process runtime')).toBe(Date.parse('2026-12-01T11:28:07.151Z'));
    expect(lineTime('worker: SIGTERM: draining')).toBeUndefined();
    expect(lineTime('{"level":30,"time":1764590400123,"run":{"id":"r1","time":1764500000000},"msg":"run leased"}')).toBe(1764590400123);
  });

  it('refuses a JSON pattern, which only CloudWatch understands, with what to use instead', async () => {
    const batcher = new LineBatcher(() => undefined);
    await expect(followLocalLogs({ logsDir: dir, group: 'services', filterPattern: '{ $.level = "error" }', batcher, signal: new AbortController().signal })).rejects.toMatchObject({ code: 'bad-input' });
  });

  it('reads a whole group for a download, up to a limit', async () => {
    writeFileSync(join(dir, 'worker-1.log'), 'x1\nx2\nx3\n');
    expect((await readLocalLogs(dir, 'workers', undefined, undefined, 2))).toMatchObject({ truncated: true, lines: [{ text: 'x1' }, { text: 'x2' }] });
  });
});

describe('text filter patterns', () => {
  it('needs every term, keeps phrases whole and leaves out -terms', () => {
    const f = textFilter('error "lease expired" -debug');
    expect(f('ERROR: lease expired for run 3')).toBe(true);
    expect(f('error: lease was expired')).toBe(false);
    expect(f('debug error lease expired')).toBe(false);
    expect(textFilter('')('anything')).toBe(true);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotatingLogFile } from './rotating-log-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotating-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const finish = (w: Writable) => new Promise<void>((resolve, reject) => w.end((e?: Error | null) => (e ? reject(e) : resolve())));
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('createRotatingLogFile', () => {
  it('rotates at a line end once the file is full, keeping a bounded number of files', async () => {
    const path = join(dir, 'services.log');
    const log = createRotatingLogFile(path, { maxBytes: 100, kept: 2 });
    const lines = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(10)}\n`);
    for (const line of lines) log.write(line);
    await finish(log);

    expect(readdirSync(dir).sort()).toEqual(['services.log', 'services.log.1', 'services.log.2']);
    for (const name of readdirSync(dir)) {
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(100);
      expect(read(name).endsWith('\n')).toBe(true);
    }
    // The newest lines, in order, each whole and once: the oldest files were dropped.
    const kept = read('services.log.2') + read('services.log.1') + read('services.log');
    expect(lines.join('').endsWith(kept)).toBe(true);
    expect(kept.split('\n').filter(Boolean).every((l) => /^line \d{3} x{10}$/.test(l))).toBe(true);
  });

  it('never splits a line written in pieces, nor cuts one longer than a file', async () => {
    const path = join(dir, 'worker-1.log');
    const log = createRotatingLogFile(path, { maxBytes: 50, kept: 3 });
    log.write('first line of the agent\nsecond li');
    log.write('ne, written in two pieces\n');
    log.write(`${'y'.repeat(90)}\nlast\n`);
    await finish(log);

    const files = ['worker-1.log.3', 'worker-1.log.2', 'worker-1.log.1', 'worker-1.log'].filter((f) => readdirSync(dir).includes(f));
    const perFile = files.map((f) => read(f));
    expect(perFile.join('')).toBe(`first line of the agent\nsecond line, written in two pieces\n${'y'.repeat(90)}\nlast\n`);
    for (const text of perFile) expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps the disk bounded when output never ends a line, cutting it at twice a file', async () => {
    const path = join(dir, 'worker-2.log');
    const log = createRotatingLogFile(path, { maxBytes: 100, kept: 2 });
    log.write('a whole line\n');
    for (let i = 0; i < 50; i += 1) log.write('z'.repeat(40));
    await finish(log);
    expect(readdirSync(dir).sort()).toEqual(['worker-2.log', 'worker-2.log.1', 'worker-2.log.2']);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(201);
    const kept = read('worker-2.log.2') + read('worker-2.log.1') + read('worker-2.log');
    expect(kept.replace(/\n/g, '')).toBe('z'.repeat(kept.replace(/\n/g, '').length));
    expect(read('worker-2.log.1')).toBe(`${'z'.repeat(200)}\n`);
  });

  it('appends to the file an earlier start left, counting what it holds', async () => {
    const path = join(dir, 'services.log');
    writeFileSync(path, 'a'.repeat(90) + '\n');
    const log = createRotatingLogFile(path, { maxBytes: 100, kept: 1 });
    log.write('after the restart\n');
    await finish(log);
    expect(read('services.log.1')).toBe('a'.repeat(90) + '\n');
    expect(read('services.log')).toBe('after the restart\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

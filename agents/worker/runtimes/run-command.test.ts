import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';

describe('runCommand', () => {
  it('reports a program that exits without reading a large input by its exit code, not by crashing', async () => {
    const result = await runCommand('sh', ['-c', 'echo gone >&2; exit 3'], { input: 'x'.repeat(4 * 1024 * 1024) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('gone');
  });

  it('answers once the program has exited, even while a process it left behind holds its pipes', async () => {
    // Without the bound, the answer waited for the 120 s sleep (and past any timeout), so the test's
    // own time limit fails it.
    const dir = mkdtempSync(join(tmpdir(), 'run-command-'));
    const pidFile = join(dir, 'pid');
    try {
      const result = await runCommand('sh', ['-c', `sleep 120 & echo $! > ${pidFile}; echo built; exit 0`]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('built');
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('passes on whole lines and whole characters, wherever the pipe cut its reads', async () => {
    // One line of 200 kB reaches the worker in several reads (at most 64 kB each), cut inside the
    // two-byte characters since the line starts with one ASCII byte; the last line has no newline.
    const lines: string[] = [];
    const long = `a${'é'.repeat(100_000)}`;
    const result = await runCommand('sh', ['-c', 'cat; printf "\\nnext\\nlast"'], { input: long, onLine: (l) => lines.push(l) });
    expect(result.code).toBe(0);
    expect(lines.map((l) => l.length)).toEqual([long.length, 4, 4]);
    expect(lines).toEqual([long, 'next', 'last']);
    expect(result.stdout).toBe(`${long}\nnext\nlast`);
  });

  it('searches each read once for a newline, however long the line under way', async () => {
    // A 4 MB line comes in some 60 reads; searching the whole line so far at each read scanned
    // over 100 MB (seconds of the worker's CPU for 30 MB), where once per read scans 4 MB.
    const split = String.prototype.split;
    let scanned = 0;
    String.prototype.split = function (this: string, ...args: [separator: string | RegExp, limit?: number]) {
      if (args[0] === '\n' && this.length > 1024) scanned += this.length;
      return Reflect.apply(split, this, args) as string[];
    } as typeof split;
    const lines: string[] = [];
    try {
      const result = await runCommand('sh', ['-c', "head -c 4000000 /dev/zero | tr '\\0' x; printf '\\nend\\n'"], { onLine: (l) => lines.push(l) });
      expect(result.code).toBe(0);
    } finally {
      String.prototype.split = split;
    }
    expect(lines.map((l) => l.length)).toEqual([4_000_000, 3]);
    expect(lines[0]!.replaceAll('x', '')).toBe('');
    expect(scanned).toBeLessThan(2 * 4_000_000);
  });
});

import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';

describe('runCommand', () => {
  it('reports a program that exits without reading a large input by its exit code, not by crashing', async () => {
    const result = await runCommand('sh', ['-c', 'echo gone >&2; exit 3'], { input: 'x'.repeat(4 * 1024 * 1024) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('gone');
  });

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
});

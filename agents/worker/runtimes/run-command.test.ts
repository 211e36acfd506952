import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';

describe('runCommand', () => {
  it('reports a program that exits without reading a large input by its exit code, not by crashing', async () => {
    const result = await runCommand('sh', ['-c', 'echo gone >&2; exit 3'], { input: 'x'.repeat(4 * 1024 * 1024) });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('gone');
  });
});

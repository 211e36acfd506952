import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { run } from './agents-command.js';

const dir = mkdtempSync(join(tmpdir(), 'benchtop-agents-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

it('writes the bundle and prints the sha256 and key it is deployed under', async () => {
  const file = join(dir, 'out', 'agent.tar.gz');
  const r = await cli(['bundle', '--out', file, '--json']);
  expect(r.code).toBe(0);
  const record = JSON.parse(r.out.trim()) as { sha256: string; key: string; bytes: number };
  const bytes = readFileSync(file);
  expect(record.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  expect(record.bytes).toBe(bytes.length);
  expect(record.key).toBe(`agents/0.1.0/benchtop-agent-${record.sha256}.tar.gz`);
}, 60_000);

it.each([
  [['bundle'], '--out FILE is required'],
  [[], 'say what to do'],
  [['unbundle', '--out', 'x'], 'unknown agents action "unbundle"'],
  [['bundle', '--out', 'x', '--arch', 'arm'], "Unknown option '--arch'"],
])('exits 2 on %j, saying what is wrong', async (argv, message) => {
  const r = await cli(argv);
  expect(r.code).toBe(2);
  expect(r.err).toContain(message);
});

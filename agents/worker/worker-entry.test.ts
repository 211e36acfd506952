import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { METADATA_FIREWALL_RULES } from './runtimes/metadata-firewall.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'benchtop-worker-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('worker entry (main.ts)', () => {
  // Without the firewall listing the boot writes, the docker runtime refuses to start.
  it.skipIf(existsSync(METADATA_FIREWALL_RULES))('says why the docker runtime cannot start and exits 1, not as a crash', async () => {
    writeFileSync(join(dir, 'token'), 'unused\n');
    const args = ['--import', 'tsx', MAIN, '--url', 'http://127.0.0.1:1', '--token-file', join(dir, 'token'), '--queue', 'cpu', '--runtime', 'docker', '--work', join(dir, 'work')];
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, args, { timeout: 60_000 }, (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }));
    });
    expect(result.stderr).toContain('worker: the docker runtime cannot start:');
    expect(result.stderr).toContain(METADATA_FIREWALL_RULES);
    expect(result.stderr).not.toContain('uncaught exception');
    expect(result.code).toBe(1);
  }, 90_000);
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServices } from './testing/spawn-services.js';

const SPAWN = fileURLToPath(new URL('./testing/spawn-services.ts', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const HOLD = fileURLToPath(new URL('./testing/announce-after-parent-exits.ts', import.meta.url));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('services entry (main.ts)', () => {
  let dir: string;
  let pid = 0;
  afterEach(async () => {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('stops by itself when the process that started it dies without stopping it', { timeout: 90_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'benchtop-orphan-'));
    // A parent that starts the agent, prints its pid once it listens, and exits at once.
    const script = `const { spawnServices } = await import(${JSON.stringify(SPAWN)}); const s = await spawnServices(${JSON.stringify(join(dir, 'data'))}); console.log(s.child.pid); process.exit(0);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 80_000 });
    pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });

  it('stops by itself when that process dies after starting it but before it announced itself', { timeout: 90_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'benchtop-orphan-'));
    const data = join(dir, 'data');
    // The parent starts the agent, waits for its database (the agent is running its main), prints
    // its pid and exits; the preload holds the agent's announcement until that parent is gone.
    const script = [
      "import { spawn } from 'node:child_process'; import { existsSync } from 'node:fs';",
      `const child = spawn(process.execPath, ['--import', 'tsx', '--import', ${JSON.stringify(HOLD)}, ${JSON.stringify(MAIN)}, '--data', ${JSON.stringify(data)}, '--port', '0'], { stdio: 'ignore' });`,
      `for (let i = 0; i < 6000 && !existsSync(${JSON.stringify(join(data, 'benchtop.sqlite'))}); i++) await new Promise((r) => setTimeout(r, 10));`,
      'console.log(child.pid); process.exit(0);',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 80_000 });
    pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });

  it('keeps stdout for its announcement: request logs go to stderr, even at --log-level info', { timeout: 90_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'benchtop-announce-'));
    // spawnServices parses the first stdout line as the announcement and fails on anything else.
    const services = await spawnServices(join(dir, 'data'), ['--log-level', 'info']);
    pid = services.child.pid ?? 0;
    expect((await fetch(`${services.url}/api/v1/health`)).status).toBe(200);
    await services.stop();
  });
});

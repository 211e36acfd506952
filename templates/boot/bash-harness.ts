import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOT_DIR } from '../src/boot-scripts.js';

// The boot scripts' functions run here in real bash, every library sourced, with the commands
// they drive (aws, blkid, mkfs.xfs, mount, sleep...) replaced by fakes put first on PATH that log
// how they were called. Paths the functions write to are redirected into the run's folder.

export const LIBRARIES = ['boot-failure.sh', 'bundle.sh', 'agent.sh', 'users.sh', 'volume.sh', 'interface.sh', 'stack-signal.sh', 'drain.sh', 'drain-watch.sh', 'idle.sh', 'metadata-firewall.sh', 'registry-login.sh', 'gpu.sh'];

const dirs: string[] = [];

/** Removes the folders of every run so far (call from afterEach). */
export function removeBashRuns(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface BashRun {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  dir: string;
}

export function bash(script: string, fakes: Record<string, string>, setup?: (dir: string) => void): BashRun {
  const dir = mkdtempSync(join(tmpdir(), 'benchtop-boot-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(fakes)) {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "\${FAKE_USER:+[\$FAKE_USER] }${name} $*" >>"$CALLS"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(dir, 'calls'), '');
  setup?.(dir);
  const lib = (f: string) => join(BOOT_DIR, 'lib', f);
  const sources = LIBRARIES.map((f) => `source ${lib(f)}`).join('; ');
  const result = spawnSync('bash', ['-c', `set -E; ${sources}; ${script}`], {
    env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: join(dir, 'calls'), DEV_ROOT: join(dir, 'dev'), FSTAB: join(dir, 'fstab'), RETRY_SECONDS: '0', POLL_SECONDS: '0', HOME: dir, SYSTEMD_DIR: dir, BENCHTOP_LIB_DIR: join(dir, 'lib') },
    encoding: 'utf8',
    // A bound on a script that hangs, not on a slow machine: the slowest run here took 2 s at load 15,
    // and a sync call past the test's own 30 s fails it anyway.
    timeout: 25_000,
  });
  const calls = readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, dir };
}

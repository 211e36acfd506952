import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tarGz } from '../../main/deploy/agent-bundle.js';
import { BOOT_DIR } from '../src/boot-scripts.js';

// lib/bundle.sh's and lib/agent.sh's install steps in real bash, with real sha256sum and tar: `aws s3 cp` and npm are
// fakes on PATH that serve a small archive made by the deploy engine's own tar writer and log how
// they were called.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const archive = tarGz([
  { name: 'package.json', body: Buffer.from('{"name":"benchtop-agent"}\n'), mode: 0o644 },
  { name: 'services.mjs', body: Buffer.from('// services\n'), mode: 0o644 },
  { name: 'worker.mjs', body: Buffer.from('// worker\n'), mode: 0o644 },
]);
const sha = createHash('sha256').update(archive).digest('hex');

function run(script: string, served: Buffer = archive) {
  const dir = mkdtempSync(join(tmpdir(), 'benchtop-agent-install-'));
  dirs.push(dir);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(dir, 'served.tar.gz'), served);
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >>"$CALLS"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // aws s3 cp [--only-show-errors] SRC DEST: the last argument is where the object goes.
  fake('aws', 'cp "$SERVED" "${!#}"');
  fake('npm-22', 'echo "cwd $PWD" >>"$CALLS"');
  writeFileSync(join(dir, 'calls'), '');
  const result = spawnSync('bash', ['-c', `set -u; source ${join(BOOT_DIR, 'lib', 'bundle.sh')}; source ${join(BOOT_DIR, 'lib', 'agent.sh')}; ${script}`], {
    env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: join(dir, 'calls'), SERVED: join(dir, 'served.tar.gz'), RETRY_SECONDS: '0', TMPDIR: dir, HOME: dir, DEST: join(dir, 'opt') },
    encoding: 'utf8',
    // A bound on a script that hangs, not on a slow machine (the test's own timeout is 30 s).
    timeout: 25_000,
  });
  const calls = readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
  return { status: result.status, stderr: result.stderr, calls, dir, dest: join(dir, 'opt') };
}

describe('install_agent_bundle', () => {
  it('downloads the pinned key, checks the sha256, unpacks it and points current at it', () => {
    const r = run(`install_agent_bundle artifacts 1.2.3 ${sha} "$DEST"`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.calls[0]).toMatch(new RegExp(`^aws s3 cp --only-show-errors s3://artifacts/agents/1\\.2\\.3/benchtop-agent-${sha}\\.tar\\.gz `));
    const current = readlinkSync(join(r.dest, 'current'));
    expect(current).toBe(join(r.dest, `1.2.3-${sha.slice(0, 16)}`));
    expect(readdirSync(current).sort()).toEqual(['package.json', 'services.mjs', 'worker.mjs']);
    // Nothing left in the temporary folder but what the test put there.
    expect(readdirSync(r.dir).sort()).toEqual(['bin', 'calls', 'opt', 'served.tar.gz']);
  });

  it('refuses a download whose sha256 is not the pinned one, and unpacks nothing', () => {
    const tampered = tarGz([{ name: 'services.mjs', body: Buffer.from('// something else\n'), mode: 0o644 }]);
    const r = run(`install_agent_bundle artifacts 1.2.3 ${sha} "$DEST"`, tampered);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does not match its pinned sha256');
    expect(existsSync(r.dest)).toBe(false);
    expect(readdirSync(r.dir).sort()).toEqual(['bin', 'calls', 'served.tar.gz']);
  });

  it('refuses a pin that is not a sha256 before downloading anything', () => {
    const r = run('install_agent_bundle artifacts 1.2.3 "" "$DEST"');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not 64 hex digits');
    expect(r.calls).toEqual([]);
  });

  it('refuses an archive without the two agents at its root', () => {
    const wrong = tarGz([{ name: 'bin/benchtop-services', body: Buffer.from('#!/bin/sh\n'), mode: 0o755 }]);
    const r = run(`install_agent_bundle artifacts 1.2.3 ${createHash('sha256').update(wrong).digest('hex')} "$DEST"`, wrong);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('did not unpack to services.mjs and worker.mjs');
    expect(existsSync(join(r.dest, 'current'))).toBe(false);
  });
});

describe('install_agent_dependencies', () => {
  it('runs npm ci in the bundle for production packages, with install scripts on (the native module builds)', () => {
    const r = run('mkdir -p "$DEST/b" && install_agent_dependencies "$DEST/b"');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['npm-22 ci --omit=dev --ignore-scripts=false --no-audit --no-fund', `cwd ${join(r.dest, 'b')}`]);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ptyBackend } from './local-pty.js';
import { findLocalRun, hasProcessTable, noProcessTable } from './local-run-shell.js';
import type { BackendSink } from './terminal-backend.js';

// A root of the system's programs only, as the worker's bubblewrap runtime builds (a tmpfs with binds).
const SYSTEM = ['--tmpfs', '/', '--ro-bind', '/usr', '/usr', ...['bin', 'lib', 'lib64', 'sbin'].flatMap((d) => {
  if (!existsSync(`/${d}`)) return [];
  return lstatSync(`/${d}`).isSymbolicLink() ? ['--symlink', readlinkSync(`/${d}`), `/${d}`] : ['--ro-bind', `/${d}`, `/${d}`];
})];
const children: ChildProcess[] = [];
let root: string | undefined;
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
});

function stage(runId: string): string {
  root = mkdtempSync(join(tmpdir(), 'benchtop-run-shell-'));
  const results = join(root, 'runs', `${runId}.1`, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'marker.txt'), 'inside\n');
  return results;
}

async function until<T>(get: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = get();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function typeInto(spec: Parameters<typeof ptyBackend>[0], line: string, expect: RegExp): Promise<string> {
  let out = '';
  const sink: BackendSink = { data: (b) => (out += Buffer.from(b).toString()), status: () => undefined, exit: () => undefined };
  const backend = await ptyBackend(spec)(sink, { cols: 120, rows: 20 });
  backend.write(Buffer.from(`${line}\r`));
  await until(() => (expect.test(out) ? true : undefined), `output matching ${expect}`);
  backend.close();
  return out;
}

describe('a shell inside a local run', () => {
  it('joins a bubblewrap-confined run in its namespaces, seeing its /results and not the host', async () => {
    const results = stage('run_confined01');
    const child = spawn('bwrap', [...SYSTEM, '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', results, '/results', '--unshare-all', '--die-with-parent', '--', 'sleep', '60'], { stdio: 'ignore' });
    children.push(child);
    const found = await until(() => findLocalRun('run_confined01'), 'the run');
    expect(found.kind).toBe('namespaces');
    expect(found.note).toMatch(/nsenter/);
    const out = await typeInto(found.spec, 'cat /results/marker.txt; ls /tmp | wc -l; echo pid=$$', /pid=\d+/);
    expect(out).toContain('inside');
    // Its own pid namespace (the shell's pid is small) and its own empty /tmp.
    expect(Number(/pid=(\d+)/.exec(out)?.[1])).toBeLessThan(10);
    expect(out).toMatch(/\r\n0\r\n/);
  });

  it('falls back to the run folders and environment when the run has no sandbox', async () => {
    const results = stage('run_plain0001');
    const child = spawn('sleep', ['60'], { cwd: join(results, '..'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RESULTS_DIR: results }, stdio: 'ignore' });
    children.push(child);
    const found = await until(() => findLocalRun('run_plain0001'), 'the run');
    expect(found.kind).toBe('folders');
    expect(found.note).toMatch(/no sandbox/);
    const out = await typeInto(found.spec, 'cat "$RESULTS_DIR/marker.txt"; pwd', /runs\/run_plain0001\.1/);
    expect(out).toContain('inside');
  });

  it('finds nothing for a run that is not running here', () => {
    expect(findLocalRun('run_nowhere001')).toBeUndefined();
  });

  it('tells a machine without /proc (macOS, Windows) from one where the run is not running', () => {
    expect(hasProcessTable()).toBe(true);
    expect(hasProcessTable(join(tmpdir(), 'benchtop-no-proc-here'))).toBe(false);
    const mac = noProcessTable('run_mac000001', 'sandbox-w2', '/Users/ada/Library/Application Support/benchtop/sandbox', 'darwin');
    expect(mac.message).toMatch(/needs Linux.*macOS does not have/);
    expect(mac.fix).toContain('/Users/ada/Library/Application Support/benchtop/sandbox/workers/w2/runs/run_mac000001.*');
    expect(noProcessTable('run_win000001', 'sandbox-w1', 'C:/sandbox', 'win32').message).toMatch(/Windows/);
  });
});

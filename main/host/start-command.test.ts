import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from './start-command.js';

const BIN = fileURLToPath(new URL('../../bin/benchtop.mjs', import.meta.url));
// The tests that run `benchtop start` wait for a fresh Node process that loads the app from its
// sources: a few seconds when idle, over 20 s with every test project running on two busy cores.
const START_TEST_MS = 90_000;
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing`)));
  });
}

describe('benchtop start', () => {
  it('prints {"url"} first with --json, serves the API to the page secret that token is traded for, keeps data in --data, stops on SIGTERM', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'benchtop-start-'));
    dirs.push(data);
    // The local sandbox has its own tests; this one is about the command and the host.
    const child = spawn(process.execPath, [BIN, 'start', '--json', '--no-open', '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCHTOP_SANDBOX: 'off' },
    });
    children.push(child);
    const line = await firstLine(child);
    const { url } = JSON.parse(line) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(line).toBe(JSON.stringify({ url }));

    const parsed = new URL(url);
    const token = parsed.searchParams.get('token');
    const exchange = await fetch(`${parsed.origin}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const { value } = (await exchange.json()) as { value: { secret: string } };
    const call = (name: string, input: unknown) =>
      fetch(`${parsed.origin}/api/call/${name}`, { method: 'POST', headers: { authorization: `Bearer ${value.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
    const info = await (await call('app:get-info', {})).json();
    expect(info).toMatchObject({ ok: true, value: { name: 'Benchtop', shell: 'browser' } });
    const saved = await (await call('settings:set-preferences', { theme: 'dark' })).json();
    expect(saved).toEqual({ ok: true, value: { theme: 'dark' } });
    expect(existsSync(path.join(data, 'settings.json'))).toBe(true);

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, START_TEST_MS);

  it.runIf(process.platform === 'linux')('opens the browser on a 0600 redirect file, never with the token on the command line, and removes the file on stop', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'benchtop-start-'));
    dirs.push(data);
    // A stand-in for xdg-open that records what it was given and what it could read; the record is
    // renamed into place, so the test never reads it half written.
    const bin = mkdtempSync(path.join(tmpdir(), 'benchtop-opener-'));
    dirs.push(bin);
    const record = path.join(bin, 'record.json');
    const opener = path.join(bin, 'xdg-open');
    writeFileSync(
      opener,
      `#!${process.execPath}\nconst fs = require('node:fs');\nconst file = process.argv[2];\nfs.writeFileSync(${JSON.stringify(`${record}.part`)}, JSON.stringify({ args: process.argv.slice(2), mode: fs.statSync(file).mode & 0o777, html: fs.readFileSync(file, 'utf8') }));\nfs.renameSync(${JSON.stringify(`${record}.part`)}, ${JSON.stringify(record)});\n`,
    );
    chmodSync(opener, 0o755);
    const child = spawn(process.execPath, [BIN, 'start', '--json', '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, BENCHTOP_SANDBOX: 'off' },
    });
    children.push(child);
    const { url } = JSON.parse(await firstLine(child)) as { url: string };
    const token = new URL(url).searchParams.get('token') ?? '';
    // The opener is a fresh Node process: seconds on two busy cores.
    for (let i = 0; i < 2400 && !existsSync(record); i++) await new Promise((r) => setTimeout(r, 25));
    const opened = JSON.parse(readFileSync(record, 'utf8')) as { args: string[]; mode: number; html: string };
    expect(opened.args).toHaveLength(1);
    expect(opened.args.join(' ')).not.toContain(token);
    expect(path.dirname(opened.args[0] ?? '')).toBe(data);
    expect(opened.mode).toBe(0o600);
    expect(opened.html).toContain(`content="0;url=${url}"`);

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(opened.args[0] ?? '')).toBe(false);
  }, START_TEST_MS);

  it('refuses a bad --port with a clear message and exit code 2', async () => {
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      expect(await run(['--port', 'eighty', '--no-open'])).toBe(2);
      expect(await run(['--colour'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain('--port must be a number from 1 to 65535, not "eighty"');
    expect(stderr).toContain("Unknown option '--colour'");
  });

  it('says so when the port is taken, and leaves nothing running', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'benchtop-start-'));
    dirs.push(data);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    // run() points BENCHTOP_HOME at --data for what it starts; keep that out of this worker.
    vi.stubEnv('BENCHTOP_HOME', '');
    vi.stubEnv('BENCHTOP_SANDBOX', 'off');
    try {
      expect(await run(['--port', String(port), '--data', data, '--no-open'])).toBe(1);
    } finally {
      vi.unstubAllEnvs();
      spy.mockRestore();
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(stderr).toContain(`port ${port} is already in use`);
  });
});

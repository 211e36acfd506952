import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesWith } from '../fault-test-support.js';
import { probeBubblewrap } from './bubblewrap.js';
import { createProcessRuntime, substituteMountPaths } from './process-runtime.js';
import { stopChild, type RunMounts, type RunningChild, type RunResources, type Runtime } from './runtime.js';

const environment = { spec: { baseImage: 'python:3.12-slim', apt: [], pip: [], conda: [] }, hash: 'h', resolved: { fidelity: 'host' as const, packages: [], skipped: [], summary: 'host programs' } };
let root: string;
let mounts: RunMounts;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'benchtop-process-runtime-'));
  mounts = { code: join(root, 'code'), data: join(root, 'data'), results: join(root, 'results'), scratch: join(root, 'tmp') };
  for (const dir of Object.values(mounts)) mkdirSync(dir);
  writeFileSync(join(mounts.code, 'main.sh'), 'echo "code says hi"\ncat "$DATA_DIR/input.txt"\n');
  writeFileSync(join(mounts.data, 'input.txt'), 'data line\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function collect(child: RunningChild): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const exit = await child.exit;
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode: exit.exitCode };
}

function start(runtime: Runtime, command: string[], network = true, resources: RunResources = {}) {
  return runtime.start({ runId: 'run_test0001', command, env: { PARAM_seed: '7' }, mounts, network, resources, environment });
}

const bwrap = probeBubblewrap();

describe.each([
  { name: 'plain process', isolation: false as const },
  ...(bwrap ? [{ name: 'bubblewrap', isolation: 'auto' as const }] : []),
])('process runtime ($name)', ({ isolation }) => {
  it('runs the command with /code, /data and /results and the run parameters', async () => {
    const runtime = createProcessRuntime({ isolation });
    const child = await start(runtime, ['sh', '-c', 'sh /code/main.sh && echo "seed=$PARAM_seed" > /results/out.txt && pwd']);
    expect(child.startedAt).toBeGreaterThan(Date.now() - 10_000);
    const { stdout, exitCode } = await collect(child);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('code says hi\ndata line\n');
    expect(readFileSync(join(mounts.results, 'out.txt'), 'utf8')).toBe('seed=7\n');
  });

  it('stops the whole process group: SIGTERM, then SIGKILL after the grace period', async () => {
    const runtime = createProcessRuntime({ isolation });
    const child = await start(runtime, ['sh', '-c', 'trap "" TERM; sleep 30 & wait; sleep 30']);
    const began = Date.now();
    const exit = await stopChild(child, 300);
    expect(exit.signal ?? exit.exitCode).toBeTruthy();
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it('ends what the run left running once its command has exited', async () => {
    const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const runtime = createProcessRuntime({ isolation });
    const { stdout } = await collect(await start(runtime, ['sh', '-c', `sleep 600.${marker} & echo left-behind`]));
    expect(stdout).toBe('left-behind\n');
    expect(processesWith(`.${marker}`)).toEqual([]);
  });

  it('sets the memory and CPU-time limits of the run, and records them', async () => {
    const runtime = createProcessRuntime({ isolation });
    const allocate = (mb: number) => ['python3', '-c', `bytearray(${mb} * 1024 * 1024); print("allocated")`];
    const small = await start(runtime, allocate(64), true, { memoryMb: 256, timeoutSeconds: 5, cpus: 1 });
    expect(await collect(small)).toMatchObject({ stdout: 'allocated\n', exitCode: 0 });
    const big = await start(runtime, allocate(512), true, { memoryMb: 256, timeoutSeconds: 5, cpus: 1 });
    expect((await collect(big)).exitCode).not.toBe(0);
    const limits = await collect(await start(runtime, ['cat', '/proc/self/limits'], true, { memoryMb: 256, timeoutSeconds: 5, cpus: 2 }));
    expect(limits.stdout).toMatch(/^Max cpu time\s+10\s+10\s+seconds/m);
    expect(limits.stdout).toMatch(/^Max data size\s+268435456\s+268435456\s+bytes/m);
    expect(big.isolation.limits).toEqual([
      { resource: 'memory', value: 256, unit: 'MB', via: 'ulimit -d (RLIMIT_DATA), per process' },
      { resource: 'cpu-time', value: 5, unit: 's', via: 'ulimit -t (RLIMIT_CPU), per process' },
    ]);
  });
});

describe('process runtime without isolation', () => {
  it('ends the way its command ended: the same exit code, or killed by the same signal', async () => {
    const runtime = createProcessRuntime({ isolation: false });
    expect(runtime.description).toBe('process (no isolation on this machine)');
    expect((await (await start(runtime, ['sh', '-c', 'exit 7'])).exit)).toEqual({ exitCode: 7, signal: null });
    expect((await (await start(runtime, ['sh', '-c', 'kill -TERM $$'])).exit)).toEqual({ exitCode: null, signal: 'SIGTERM' });
    const child = await start(runtime, ['sh', '-c', 'echo up; sleep 30']);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.signal('SIGTERM');
    expect(await child.exit).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('says so in the record, with network whatever the run asked', async () => {
    const child = await start(createProcessRuntime({ isolation: false }), ['true'], false);
    await child.exit;
    expect(child.isolation).toMatchObject({ kind: 'none', network: true });
    expect(child.isolation.summary).toMatch(/^no isolation on this machine: .* although it asked for none\./);
  });
});

describe.runIf(bwrap)('process runtime with bubblewrap', () => {
  it('refuses writes to /code and /data and to the host, allows /results and /tmp', async () => {
    const runtime = createProcessRuntime();
    expect(runtime.description).toBe('process (bubblewrap)');
    const script = [
      'echo x > /code/new.txt && echo CODE_WRITABLE',
      'echo x > /data/new.txt && echo DATA_WRITABLE',
      'echo x > /etc/benchtop-test && echo HOST_WRITABLE',
      'echo x > /tmp/scratch.txt && echo TMP_OK',
      'echo x > /results/r.txt && echo RESULTS_OK',
    ].join('; ');
    const { stdout } = await collect(await start(runtime, ['sh', '-c', script]));
    expect(stdout).not.toContain('WRITABLE');
    expect(stdout).toContain('TMP_OK');
    expect(stdout).toContain('RESULTS_OK');
    expect(readFileSync(join(mounts.scratch, 'scratch.txt'), 'utf8')).toBe('x\n');
  });

  it('shows the run only the allow-listed host paths, an empty home and no capabilities', async () => {
    const runtime = createProcessRuntime();
    const { stdout } = await collect(await start(runtime, ['sh', '-c', 'ls -A /; echo "home: $(ls -A "$HOME" | wc -l)"; grep CapEff /proc/self/status']));
    const entries = stdout.split('\n');
    for (const absent of ['home', 'srv', 'opt', 'mnt', 'media', 'boot', 'root', 'work', 'sys']) {
      if (process.env.HOME !== `/${absent}`) expect(entries).not.toContain(absent);
    }
    expect(entries).toEqual(expect.arrayContaining(['usr', 'etc', 'code', 'data', 'results', 'tmp', 'run', 'home: 0', 'CapEff:\t0000000000000000']));
  });

  it('lets a run read a folder the worker exposes, and nothing beside it', async () => {
    const tools = mkdtempSync(join(process.cwd(), '.benchtop-exposed-'));
    try {
      mkdirSync(join(tools, 'bin'));
      writeFileSync(join(tools, 'bin', 'tool.sh'), 'echo tool-ran\n');
      writeFileSync(join(tools, 'secret.txt'), 'not for runs\n');
      const script = `sh ${tools}/bin/tool.sh; cat ${tools}/secret.txt 2>/dev/null; echo x > ${tools}/bin/new 2>/dev/null && echo WRITABLE`;
      const exposed = createProcessRuntime({ expose: [join(tools, 'bin')] });
      expect((await collect(await start(exposed, ['sh', '-c', script]))).stdout).toBe('tool-ran\n');
      // Each run has a fresh /tmp: bwrap made the exposed folder's mount point inside this one
      // when the checkout lives under /tmp.
      rmSync(mounts.scratch, { recursive: true, force: true });
      mkdirSync(mounts.scratch);
      expect((await collect(await start(createProcessRuntime(), ['sh', '-c', script]))).stdout).toBe('');
    } finally {
      rmSync(tools, { recursive: true, force: true });
    }
  });

  it('gives a run that asks for no network only a loopback interface', async () => {
    const runtime = createProcessRuntime();
    const interfaces = async (network: boolean) => (await collect(await start(runtime, ['sh', '-c', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"], network))).stdout.trim().split('\n');
    expect(await interfaces(false)).toEqual(['lo']);
    expect((await interfaces(true)).length).toBeGreaterThan(1);
  });

  it('hides the folders it is told to hide, even when the run folders live inside them', async () => {
    // Outside /tmp, which a sandboxed run never sees anyway.
    const secret = mkdtempSync(join(process.cwd(), '.benchtop-hidden-'));
    try {
      writeFileSync(join(secret, 'worker.token'), 'secret');
      const inside = { code: join(secret, 'code'), data: join(secret, 'data'), results: join(secret, 'results'), scratch: join(secret, 'tmp') };
      for (const dir of Object.values(inside)) mkdirSync(dir);
      writeFileSync(join(inside.code, 'main.sh'), 'echo from-code\n');
      const runtime = createProcessRuntime({ hide: [secret] });
      const child = await runtime.start({ runId: 'run_test0002', command: ['sh', '-c', `ls ${secret}; sh /code/main.sh; echo ok > /results/out.txt`], env: {}, mounts: inside, network: true, resources: {}, environment });
      const { stdout } = await collect(child);
      expect(stdout).toBe('from-code\n');
      expect(readFileSync(join(inside.results, 'out.txt'), 'utf8')).toBe('ok\n');
    } finally {
      rmSync(secret, { recursive: true, force: true });
    }
  });
});

describe('substituteMountPaths', () => {
  it('rewrites the run folders where a path starts, and nothing else', () => {
    const m = { code: '/w/c', data: '/w/d', results: '/w/r', scratch: '/w/t' };
    expect(substituteMountPaths('/code/main.py', m)).toBe('/w/c/main.py');
    expect(substituteMountPaths('python3 /code/a.py > /results/x.csv', m)).toBe('python3 /w/c/a.py > /w/r/x.csv');
    expect(substituteMountPaths('--out=/results', m)).toBe('--out=/w/r');
    expect(substituteMountPaths('/usr/code/x /dataset /results2', m)).toBe('/usr/code/x /dataset /results2');
  });
});

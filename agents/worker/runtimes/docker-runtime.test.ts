import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { environmentHash, renderDockerfile } from '../environment-hash.js';
import { createDockerRuntime, type DockerRuntimeOptions } from './docker-runtime.js';
import { METADATA_DROP_RULES } from './metadata-firewall.js';
import { stopChild, type RunMounts, type RuntimeRequest } from './runtime.js';

// A fake `docker` (and `iptables`) first on PATH: records every argv as a JSON line and answers
// like the real client would, keeping built and pushed images in its state folder. The worker
// runs as an unprivileged user on instances, so `iptables` refuses as it does there.
const FAKE = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const state = process.env.FAKE_STATE;
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
fs.appendFileSync(path.join(state, 'calls.jsonl'), JSON.stringify([tool, ...args]) + '\\n');
const has = (name) => fs.existsSync(path.join(state, name));
const mark = (name) => fs.writeFileSync(path.join(state, name), '');
const key = (s) => s.replace(/[^A-Za-z0-9]/g, '_');
if (tool === 'iptables') { console.error('iptables v1.8.10 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)'); process.exit(4); }
const [cmd, sub] = args;
if (cmd === 'version') { console.log('27.3.1'); process.exit(0); }
if (cmd === 'network') process.exit(sub === 'inspect' ? (has('network') ? 0 : 1) : (mark('network'), 0));
if (cmd === 'build') {
  const dockerfile = fs.readFileSync(0, 'utf8');
  fs.writeFileSync(path.join(state, 'Dockerfile'), dockerfile);
  console.log('Step 1/3 : ' + dockerfile.split('\\n')[1]);
  for (let i = 0; i < args.length; i++) if (args[i] === '-t') mark('image-' + key(args[i + 1]));
  process.exit(0);
}
if (cmd === 'image' && sub === 'inspect') {
  const ref = args[args.length - 1];
  if (!has('image-' + key(ref))) { console.error('No such image: ' + ref); process.exit(1); }
  const repo = ref.slice(0, ref.lastIndexOf(':'));
  const digest = has('digest-' + key(ref)) ? fs.readFileSync(path.join(state, 'digest-' + key(ref)), 'utf8') : 'ab'.repeat(32);
  console.log(args[3] === '{{.Id}}' ? 'sha256:1111' : JSON.stringify([repo + '@sha256:' + digest]));
  process.exit(0);
}
if (cmd === 'pull') {
  const ref = args[args.length - 1];
  if (!has('pushed-' + key(ref))) process.exit(1);
  mark('image-' + key(ref));
  if (has('winner-' + key(ref))) fs.copyFileSync(path.join(state, 'winner-' + key(ref)), path.join(state, 'digest-' + key(ref)));
  process.exit(0);
}
if (cmd === 'push' && process.env.FAKE_PUSH_DENIED) { console.error('denied: not authorized to perform ecr:InitiateLayerUpload'); process.exit(1); }
// FAKE_PUSH_RACE: another worker pushed the same tag (digest cd…) between our pull and our push.
if (cmd === 'push' && process.env.FAKE_PUSH_RACE) {
  mark('pushed-' + key(args[1]));
  fs.writeFileSync(path.join(state, 'winner-' + key(args[1])), 'cd'.repeat(32));
  const [repo, tag] = [args[1].slice(args[1].indexOf('/') + 1, args[1].lastIndexOf(':')), args[1].slice(args[1].lastIndexOf(':') + 1)];
  console.error("tag invalid: The image tag '" + tag + "' already exists in the '" + repo + "' repository and cannot be overwritten because the repository is immutable.");
  process.exit(1);
}
if (cmd === 'push') { mark('pushed-' + key(args[1])); console.log('digest: sha256:' + 'ab'.repeat(32)); process.exit(0); }
// The fake container ignores SIGTERM and dies on SIGKILL.
if (cmd === 'kill') {
  if (args[2] === 'SIGKILL') process.kill(Number(fs.readFileSync(path.join(state, 'run-' + args[3] + '.pid'), 'utf8')), 'SIGKILL');
  process.exit(0);
}
if (cmd === 'run') {
  const results = args.find((a) => a.endsWith(',dst=/results'));
  fs.writeFileSync(path.join(results.split(',')[1].slice(4), 'from-container.txt'), 'ok');
  console.log('hello from the container');
  fs.writeFileSync(path.join(state, 'run-' + args[args.indexOf('--name') + 1] + '.pid'), String(process.pid));
  if (process.env.FAKE_RUN_SLEEP) setTimeout(() => process.exit(0), 30000);
  else process.exit(0);
}
`;

const spec = { baseImage: 'python:3.12-slim', apt: ['curl', 'git'], pip: ['numpy==2.1.0'], conda: [] };
let root: string;
let state: string;
let mounts: RunMounts;
let rulesFile: string;
const savedPath = process.env.PATH;

/** The chains as the boot lists them once it has inserted the drops. */
const BOOT_RULES = ['-N DOCKER-USER', ...METADATA_DROP_RULES.slice(0, 1), '-A DOCKER-USER -j RETURN', '-N DOCKER-USER', METADATA_DROP_RULES[1], ''].join('\n');

const createRuntime = (options: DockerRuntimeOptions = {}) => createDockerRuntime({ metadataFirewallRules: rulesFile, ...options });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'benchtop-docker-runtime-'));
  const bin = join(root, 'bin');
  state = join(root, 'state');
  mounts = { code: join(root, 'code'), data: join(root, 'data'), results: join(root, 'results'), scratch: join(root, 'tmp') };
  for (const dir of [bin, state, ...Object.values(mounts)]) mkdirSync(dir);
  for (const tool of ['docker', 'iptables']) {
    writeFileSync(join(bin, tool), FAKE);
    chmodSync(join(bin, tool), 0o755);
  }
  rulesFile = join(root, 'metadata-firewall.rules');
  writeFileSync(rulesFile, BOOT_RULES);
  process.env.PATH = `${bin}:${savedPath}`;
  process.env.FAKE_STATE = state;
});
afterEach(() => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_RUN_SLEEP;
  rmSync(root, { recursive: true, force: true });
});

const calls = (): string[][] => readFileSync(join(state, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
const dockerRuns = () => calls().filter((c) => c[0] === 'docker' && c[1] === 'run');

function request(overrides: Partial<RuntimeRequest> = {}): Omit<RuntimeRequest, 'environment'> {
  return { runId: 'run_abcdef012345', command: ['python3', '/code/main.py'], env: { PARAM_seed: '7' }, mounts, network: false, resources: { cpus: 2, memoryMb: 4096, gpus: 0 }, ...overrides };
}

// Every docker call starts a Node process: a test makes up to ten, which took 12 s at load 15 here.
describe('docker runtime (through a fake docker)', { timeout: 90_000 }, () => {
  it('prepares the runs bridge and checks the metadata firewall the boot applied, without root', async () => {
    await createRuntime();
    expect(calls()).toEqual([
      ['docker', 'version', '--format', '{{.Server.Version}}'],
      ['docker', 'network', 'inspect', 'benchtop-runs'],
      ['docker', 'network', 'create', '--driver', 'bridge', '--opt', 'com.docker.network.bridge.name=benchtop0', 'benchtop-runs'],
    ]);
    await createRuntime();
    expect(calls().filter((c) => c[2] === 'create')).toHaveLength(1);
  });

  it('refuses to start when the boot left no metadata firewall, saying why and running nothing', async () => {
    rmSync(rulesFile);
    await expect(createRuntime()).rejects.toThrow(/refuses to run containers that could reach the instance metadata service: .*metadata-firewall\.rules is missing or unreadable \(ENOENT\).*benchtop-metadata-firewall/);
    expect(existsSync(join(state, 'calls.jsonl'))).toBe(false);
  });

  it.each(METADATA_DROP_RULES.map((rule) => [rule] as const))('refuses to start when the listed chains lack %s', async (rule) => {
    writeFileSync(rulesFile, BOOT_RULES.replace(rule, ''));
    await expect(createRuntime()).rejects.toThrow(`does not list "${rule}"`);
  });

  it('describes a GPU worker by what its boot found', async () => {
    const inventory = join(root, 'gpus.json');
    writeFileSync(inventory, JSON.stringify({ count: 4, driverVersion: '550.127.05', gpus: Array.from({ length: 4 }, () => ({ model: 'NVIDIA A10G', memoryMiB: 23028 })) }));
    expect((await createRuntime({ gpu: true, gpuInventory: inventory })).description).toBe('docker 27.3.1 (GPU: 4× NVIDIA A10G)');
    // Reported to the platform with each lease request.
    expect((await createRuntime({ gpu: true, gpuInventory: inventory })).gpus?.count).toBe(4);
    expect((await createRuntime({ gpu: true, gpuInventory: join(root, 'none.json') })).description).toBe('docker 27.3.1 (GPU: no inventory from the boot)');
    writeFileSync(inventory, JSON.stringify({ count: 2, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA A10G', memoryMiB: 23028 }] }));
    await expect(createRuntime({ gpu: true, gpuInventory: inventory })).rejects.toThrow('count must equal the number of gpus listed');
  });

  it('builds an environment once per content hash and reuses it', async () => {
    const runtime = await createRuntime();
    const lines: string[] = [];
    const first = await runtime.prepareEnvironment(spec, (l) => lines.push(l));
    const hash = environmentHash(spec);
    expect(first).toMatchObject({ hash, image: `benchtop-env:${hash}` });
    expect(readFileSync(join(state, 'Dockerfile'), 'utf8')).toBe(renderDockerfile(spec));
    expect(lines.some((l) => l.includes('FROM python:3.12-slim'))).toBe(true);
    const reordered = await runtime.prepareEnvironment({ ...spec, apt: ['git', 'curl', 'git'] }, () => undefined);
    expect(reordered.image).toBe(first.image);
    expect(calls().filter((c) => c[1] === 'build')).toHaveLength(1);
    const other = await runtime.prepareEnvironment({ ...spec, pip: [] }, () => undefined);
    expect(other.hash).not.toBe(hash);
    expect(calls().filter((c) => c[1] === 'build')).toHaveLength(2);
  });

  it('pushes to the registry once and pins the run to the pushed digest', async () => {
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/benchtop-envs';
    const runtime = await createRuntime({ registry });
    const prepared = await runtime.prepareEnvironment(spec, () => undefined);
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(prepared).toMatchObject({ digest, image: `${registry}@${digest}` });
    expect(calls().some((c) => c[1] === 'push' && c[2] === `${registry}:${prepared.hash}`)).toBe(true);
    // A second worker finds the image in the registry and builds nothing.
    const second = await createRuntime({ registry });
    expect(await second.prepareEnvironment(spec, () => undefined)).toMatchObject({ digest });
    expect(calls().filter((c) => c[1] === 'build')).toHaveLength(1);
  });

  it('runs with the image of the worker that won the race to push the same tag', async () => {
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/benchtop-envs';
    const runtime = await createRuntime({ registry });
    process.env.FAKE_PUSH_RACE = '1';
    const lines: string[] = [];
    const prepared = await runtime.prepareEnvironment(spec, (l) => lines.push(l)).finally(() => delete process.env.FAKE_PUSH_RACE);
    const winner = `sha256:${'cd'.repeat(32)}`;
    expect(prepared).toMatchObject({ digest: winner, image: `${registry}@${winner}` });
    const remote = `${registry}:${prepared.hash}`;
    expect(calls().filter((c) => c[0] === 'docker' && (c[1] === 'pull' || c[1] === 'push' || c[1] === 'build')).map((c) => c[1])).toEqual(['pull', 'build', 'push', 'pull']);
    expect(lines).toContain(`another worker pushed ${remote} first (the tag is immutable); running with its image`);
  });

  it('still fails a push refused for another reason', async () => {
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/benchtop-envs';
    const runtime = await createRuntime({ registry });
    process.env.FAKE_PUSH_DENIED = '1';
    await expect(runtime.prepareEnvironment(spec, () => undefined).finally(() => delete process.env.FAKE_PUSH_DENIED)).rejects.toThrow(/^pushing .* failed: denied: not authorized to perform ecr:InitiateLayerUpload$/);
  });

  it('runs each run in one locked-down container', async () => {
    const runtime = await createRuntime({ user: '1000:1000' });
    const environment = await runtime.prepareEnvironment(spec, () => undefined);
    const child = await runtime.start({ ...request(), environment });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    expect(await child.exit).toEqual({ exitCode: 0, signal: null });
    expect(Buffer.concat(out).toString()).toBe('hello from the container\n');
    expect(existsSync(join(mounts.results, 'from-container.txt'))).toBe(true);
    const argv = dockerRuns()[0]!;
    const args = argv.slice(1);
    const pairs = args.slice(0, args.indexOf('--')).join(' ');
    for (const flag of ['--rm', '--read-only', '--cap-drop ALL', '--security-opt no-new-privileges', '--network none', '--memory 4096m', '--cpus 2', '--user 1000:1000', '--workdir /code']) {
      expect(pairs).toContain(flag);
    }
    expect(args).toContain(`type=bind,src=${mounts.code},dst=/code,readonly`);
    expect(args).toContain(`type=bind,src=${mounts.data},dst=/data,readonly`);
    expect(args).toContain(`type=bind,src=${mounts.results},dst=/results`);
    expect(args).toContain('PARAM_seed=7');
    expect(args.slice(args.indexOf('--') + 1)).toEqual([environment.image, 'python3', '/code/main.py']);
    for (const forbidden of ['--privileged', 'host', '--gpus', '--cap-add', '-v']) expect(args.slice(0, args.indexOf('--'))).not.toContain(forbidden);
  });

  it('gives GPU runs --gpus on GPU workers, the runs bridge when network is wanted, and refuses GPUs elsewhere', async () => {
    const gpuRuntime = await createRuntime({ gpu: true });
    const environment = await gpuRuntime.prepareEnvironment(spec, () => undefined);
    await (await gpuRuntime.start({ ...request({ network: true, resources: { gpus: 1 } }), environment })).exit;
    const args = dockerRuns()[0]!;
    expect(args.join(' ')).toContain('--gpus 1');
    expect(args.join(' ')).toContain('--network benchtop-runs');
    // A worker sharing its GPUs among runs names the devices each run gets.
    await (await gpuRuntime.start({ ...request({ resources: { gpus: 2 } }), gpuDevices: [1, 3], environment })).exit;
    const shared = dockerRuns()[1]!;
    expect(shared[shared.indexOf('--gpus') + 1]).toBe('"device=1,3"');
    const cpuRuntime = await createRuntime();
    await expect(cpuRuntime.start({ ...request({ resources: { gpus: 1 } }), environment })).rejects.toThrow(/not a GPU worker/);
  });

  it('signals the container through the engine, not the client', async () => {
    process.env.FAKE_RUN_SLEEP = '1';
    const runtime = await createRuntime();
    const environment = await runtime.prepareEnvironment(spec, () => undefined);
    const child = await runtime.start({ ...request(), environment });
    // The fake's SIGKILL needs the container's pid, written once the fake `docker run` is up.
    await vi.waitFor(() => expect(readdirSync(state).some((f) => f.startsWith('run-'))).toBe(true), { timeout: 30_000, interval: 50 });
    const run = dockerRuns()[0]!;
    const name = run[run.indexOf('--name') + 1];
    const sent: NodeJS.Signals[] = [];
    const exit = await stopChild({ ...child, signal: (s) => (sent.push(s), child.signal(s)) }, 200);
    expect(exit.signal).toBe('SIGKILL');
    expect(sent).toEqual(['SIGTERM', 'SIGKILL']);
    // Each signal is its own \`docker kill\`, started 200 ms apart and not awaited: on a loaded
    // machine the second can record its call (and end the container) before the first has, so
    // the engine's calls are waited for and compared unordered; \`sent\` holds the order.
    const kills = () => calls().filter((c) => c[1] === 'kill').map((c) => c.slice(2));
    await vi.waitFor(() => expect(kills()).toHaveLength(2), { timeout: 30_000, interval: 50 });
    expect(kills()).toEqual(expect.arrayContaining([['--signal', 'SIGTERM', name], ['--signal', 'SIGKILL', name]]));
  });

  it('refuses to start without a Docker engine, saying why', async () => {
    writeFileSync(join(root, 'bin', 'docker'), '#!/bin/sh\necho "Cannot connect to the Docker daemon" >&2\nexit 1\n');
    await expect(createRuntime()).rejects.toThrow(/needs a running Docker engine: Cannot connect to the Docker daemon/);
  });
});

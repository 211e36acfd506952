import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSpec } from '../../common/protocol/capsules.js';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { waitForState } from '../../agents/worker/fault-test-support.js';
import { renderDockerfile, environmentHash } from '../../agents/worker/environment-hash.js';
import { buildWheel, canMakeVenvs, startWheelIndex, type WheelIndex } from '../../agents/worker/environments/testing/wheel-index.js';
import { createImageBuilder } from '../../agents/worker/runtimes/docker-images.js';
import { startLocalSandbox, type LocalSandbox } from './local-sandbox.js';

// The sandbox as the app starts it, with no container engine (native environments) and with the
// fake Docker engine the AWS seam test uses; the package index is on 127.0.0.1.
const probeSpec: EnvironmentSpec = { baseImage: 'python:3.11-slim', apt: [], pip: ['benchtop-probe==1.*'], conda: [] };
const PRINT_VERSION = ['sh', '-c', 'python -c "import benchtop_probe; print(benchtop_probe.VERSION)" > /results/version.txt'];
let root: string;
let index: WheelIndex;
let newer: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'benchtop-sandbox-env-'));
  mkdirSync(join(root, 'wheels'));
  const first = buildWheel(join(root, 'wheels'), 'benchtop-probe', '1.0.0');
  newer = buildWheel(join(root, 'wheels'), 'benchtop-probe', '1.1.0');
  index = await startWheelIndex([first]);
}, 60_000);
afterAll(async () => {
  await index?.close();
  rmSync(root, { recursive: true, force: true });
});

async function resultText(client: PlatformClient, runId: string, path: string): Promise<string> {
  return (await (await client.resultFile(runId, path)).text()).trim();
}

describe.runIf(canMakeVenvs())('the sandbox without a container engine', () => {
  let sandbox: LocalSandbox;
  let client: PlatformClient;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = join(root, 'native');
    sandbox = await startLocalSandbox({ dataDir, workers: 1, example: false, runtime: 'auto', docker: join(root, 'no-such-docker'), workerArgs: ['--pip-index-url', index.url, '--poll-ms', '1000'] });
    client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
  }, 60_000);

  it('says it runs native environments and why', () => {
    expect(sandbox.status().runtime).toEqual({ name: 'process', reason: expect.stringMatching(/native environments.*no Docker-compatible engine answered/) });
  });

  it('runs a capsule in a native environment with its pip package, records the lock, and a rerun installs the locked version', async () => {
    const capsule = await client.createCapsule({ name: 'probe', environment: probeSpec, command: PRINT_VERSION });
    const first = await waitForState(client, (await client.createRun({ capsuleId: capsule.id })).id, undefined, 120_000);
    expect(first.error).toBeNull();
    expect(first.state).toBe('succeeded');
    expect(await resultText(client, first.id, 'version.txt')).toBe('1.0.0');
    expect(first.resolvedEnvironment).toMatchObject({ fidelity: 'native-complete', interpreter: expect.stringMatching(/^CPython 3\./) });
    expect(first.resolvedEnvironment?.packages).toContainEqual({ manager: 'pip', name: 'benchtop-probe', version: '1.0.0' });
    const log = (await client.logs(first.id)).items.map((l) => l.text).join('\n');
    expect(log).toMatch(/pip install benchtop-probe==1\.\*/);
    expect(log).toMatch(/native: CPython 3\.\S+ in its own virtual environment with 1 package at exact versions/);
    expect(sandbox.status().environmentCache).toMatchObject({ entries: 1, bytes: expect.any(Number) });

    // The index now offers 1.1.0, and the built environment is gone: only the lock can say 1.0.0.
    index.offer(newer);
    rmSync(join(dataDir, 'workers', 'w1', 'cache', 'environments'), { recursive: true, force: true });
    const rerun = await waitForState(client, (await client.rerun(first.id)).id, undefined, 120_000);
    expect(rerun.state).toBe('succeeded');
    expect(await resultText(client, rerun.id, 'version.txt')).toBe('1.0.0');
    expect(rerun.resolvedEnvironment?.packages).toEqual(first.resolvedEnvironment?.packages);

    const fresh = await waitForState(client, (await client.createRun({ capsuleId: capsule.id })).id, undefined, 120_000);
    expect(await resultText(client, fresh.id, 'version.txt'), 'a new run resolves the spec again').toBe('1.1.0');
  }, 300_000);

  it('refuses an apt-only environment unless the run allows a partial one, which is then marked from its start', async () => {
    const capsule = await client.createCapsule({ name: 'apt', environment: { baseImage: 'debian:bookworm-slim', apt: ['libgdal-dev'], pip: [], conda: [] }, command: ['sh', '-c', 'sleep 1; echo ran > /results/out.txt'] });
    const refused = await waitForState(client, (await client.createRun({ capsuleId: capsule.id })).id, undefined, 60_000);
    expect(refused.state).toBe('failed');
    expect(refused.error).toMatch(/apt package libgdal-dev.*cannot install without a container engine/);
    const launched = await client.createRun({ capsuleId: capsule.id, partialEnvironment: true });
    const running = await waitForState(client, launched.id, ['running', 'succeeded', 'failed'], 60_000);
    expect(running.resolvedEnvironment, 'recorded with the started heartbeat').toMatchObject({ fidelity: 'native-partial' });
    const partial = await waitForState(client, launched.id, undefined, 60_000);
    expect(partial.state).toBe('succeeded');
    expect(partial.partialEnvironment).toBe(true);
    expect(partial.resolvedEnvironment).toMatchObject({ fidelity: 'native-partial', skipped: ['apt package libgdal-dev'] });
  }, 120_000);
});

describe('the sandbox with a Docker engine (the fake engine of the AWS seam test)', () => {
  let sandbox: LocalSandbox;
  let client: PlatformClient;
  let docker: string;
  const saved = { PATH: process.env.PATH, DOCKER_CONFIG: process.env.DOCKER_CONFIG };

  beforeAll(async () => {
    // main/deploy/testing/fake-docker.sh keeps its state in the instance root's /var/lib/fake-docker; here, in a temporary folder.
    const state = join(root, 'docker-state');
    mkdirSync(state);
    docker = join(root, 'docker');
    writeFileSync(docker, readFileSync(new URL('../deploy/testing/fake-docker.sh', import.meta.url), 'utf8').replace(/^state=.*$/m, `state=${state}`));
    chmodSync(docker, 0o755);
    // An ECR-like registry host whose credential helper always answers, for the AWS worker's pushes.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker-credential-benchtop-test'), '#!/bin/sh\necho \'{"Username":"AWS","Secret":"t"}\'\n');
    chmodSync(join(bin, 'docker-credential-benchtop-test'), 0o755);
    mkdirSync(join(root, 'docker-config'));
    writeFileSync(join(root, 'docker-config', 'config.json'), JSON.stringify({ credHelpers: { 'registry.benchtop.test:5000': 'benchtop-test' } }));
    process.env.PATH = `${bin}:${process.env.PATH}`;
    process.env.DOCKER_CONFIG = join(root, 'docker-config');
    sandbox = await startLocalSandbox({ dataDir: join(root, 'docker-sandbox'), workers: 1, example: false, runtime: 'auto', docker, workerArgs: ['--poll-ms', '1000'] });
    client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    process.env.PATH = saved.PATH;
    if (saved.DOCKER_CONFIG === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved.DOCKER_CONFIG;
  }, 60_000);

  it('runs capsules in the image an AWS worker builds for the same environment', async () => {
    expect(sandbox.status().runtime).toEqual({ name: 'docker', reason: expect.stringMatching(/Docker engine answered \(version 27\.5\.1\).*as on AWS/) });
    const spec: EnvironmentSpec = { baseImage: 'python:3.12-slim', apt: ['libgdal-dev'], pip: ['numpy==2.1.0'], conda: [] };
    const capsule = await client.createCapsule({ name: 'in-docker', environment: spec, command: ['sh', '-c', 'echo from-container > /results/out.txt'] });
    const run = await waitForState(client, (await client.createRun({ capsuleId: capsule.id })).id, undefined, 60_000);
    expect(run.error).toBeNull();
    expect(run.state).toBe('succeeded');
    expect(await resultText(client, run.id, 'out.txt')).toBe('from-container');
    // The fake engine names an image by the sha256 of its Dockerfile as the shell read it (no final newline).
    const imageId = `sha256:${createHash('sha256').update(renderDockerfile(spec).replace(/\n+$/, '')).digest('hex')}`;
    expect(run.resolvedEnvironment).toMatchObject({ fidelity: 'container', image: imageId, skipped: [] });
    expect(run.isolation?.kind).toBe('container');
    const log = (await client.logs(run.id)).items.map((l) => l.text).join('\n');
    expect(log).toContain(`building environment ${environmentHash(spec)}`);

    // An AWS worker (with the stack's registry) through the same engine: the same Dockerfile, so the same image.
    const aws = await createImageBuilder({ docker, registry: 'registry.benchtop.test:5000/benchtop-envs' }).prepare(spec, () => undefined);
    expect(aws.digest).toBe(imageId);
    expect(aws.image).toBe(`registry.benchtop.test:5000/benchtop-envs@${imageId}`);

    const rerun = await waitForState(client, (await client.rerun(run.id)).id, undefined, 60_000);
    expect(rerun.state).toBe('succeeded');
    expect(rerun.resolvedEnvironment?.image).toBe(imageId);
    expect((await client.logs(rerun.id)).items.map((l) => l.text).join('\n')).toContain(`running the original run's image ${imageId}`);
  }, 120_000);
});

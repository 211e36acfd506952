import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectSandboxRuntime } from './sandbox-runtime.js';

let dir: string;
let docker: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchtop-sandbox-runtime-'));
  docker = join(dir, 'docker');
  // A docker client whose engine answers only through Podman's socket, as on a machine with Podman and no Docker.
  writeFileSync(docker, '#!/bin/sh\nif [ -n "$DOCKER_HOST" ]; then echo 5.2.1; exit 0; fi\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n');
  chmodSync(docker, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('which runtime the sandbox uses', () => {
  it('uses Podman\'s Docker-compatible socket when Docker does not answer', async () => {
    mkdirSync(join(dir, 'podman'));
    writeFileSync(join(dir, 'podman', 'podman.sock'), '');
    const found = await detectSandboxRuntime({ docker, env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: dir } });
    expect(found.name).toBe('docker');
    expect(found.reason).toMatch(/Podman's Docker-compatible socket answered .*podman\.sock, version 5\.2\.1/);
    expect(found.workerArgs).toEqual(['--runtime', 'docker', '--no-metadata-firewall', '--docker', docker, '--docker-host', `unix://${join(dir, 'podman', 'podman.sock')}`]);
  });

  it('falls back to native environments and says what the engine answered', async () => {
    const found = await detectSandboxRuntime({ docker, env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: dir } });
    expect(found).toEqual({ name: 'process', reason: expect.stringMatching(/native environments.*Cannot connect to the Docker daemon.*no Podman socket/), workerArgs: ['--runtime', 'process'] });
  });

  it('refuses a forced docker runtime with no engine, saying how to fix it', async () => {
    await expect(detectSandboxRuntime({ choice: 'docker', docker, env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: dir } })).rejects.toThrow(/BENCHTOP_SANDBOX_RUNTIME=docker, but no Docker-compatible engine answered.*Start Docker or Podman/);
  });
});

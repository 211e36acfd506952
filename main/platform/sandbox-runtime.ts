import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** How the sandbox's workers run capsules, and why; `workerArgs` start a worker that way. */
export interface SandboxRuntime {
  name: 'docker' | 'process';
  reason: string;
  workerArgs: string[];
}

export type SandboxRuntimeChoice = 'auto' | 'docker' | 'process';

export interface DetectOptions {
  choice?: SandboxRuntimeChoice;
  /** The docker client (tests put a fake first); default `docker`. */
  docker?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface Answer {
  ok: boolean;
  said: string;
}

/** `file args` to its end, bounded: an engine that does not answer in time is not there. */
function ask(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => out.push(c));
    child.once('error', (error) => resolve({ ok: false, said: error.message }));
    child.once('close', (code) => resolve({ ok: code === 0, said: Buffer.concat(out).toString('utf8').trim().split('\n')[0] ?? '' }));
  });
}

/** Podman's Docker-compatible API sockets: rootless (per user), then the system one. */
function podmanSockets(env: NodeJS.ProcessEnv): string[] {
  const runtimeDir = env.XDG_RUNTIME_DIR ?? (process.getuid ? `/run/user/${process.getuid()}` : undefined);
  return [...(runtimeDir ? [join(runtimeDir, 'podman', 'podman.sock')] : []), '/run/podman/podman.sock'].filter((p) => existsSync(p));
}

// Not an EC2 instance's worker: there is no instance metadata service behind the engine to wall
// off, and no root-written firewall rules to check (the docker runtime's check is for instances).
const LOCAL_DOCKER = ['--runtime', 'docker', '--no-metadata-firewall'];

const NATIVE = 'capsules run as processes in native environments (a Python virtual environment per environment; apt packages need a container engine)';

/**
 * Docker (Engine or Desktop) or Podman when one answers: the sandbox's workers then build and run
 * each capsule's image as AWS workers do. Otherwise native environments. BENCHTOP_SANDBOX_RUNTIME
 * (or `choice`) forces one; a forced docker with no engine is an error that says so.
 */
export async function detectSandboxRuntime(options: DetectOptions = {}): Promise<SandboxRuntime> {
  const env = options.env ?? process.env;
  const choice = options.choice ?? 'auto';
  const docker = options.docker ?? 'docker';
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (choice === 'process') return { name: 'process', reason: `${NATIVE}: the process runtime was chosen (BENCHTOP_SANDBOX_RUNTIME=process)`, workerArgs: ['--runtime', 'process'] };
  const engine = await ask(docker, ['version', '--format', '{{.Server.Version}}'], env, timeoutMs);
  if (engine.ok) return { name: 'docker', reason: `a Docker engine answered (version ${engine.said}): capsules run in their own images, as on AWS`, workerArgs: [...LOCAL_DOCKER, '--docker', docker] };
  for (const socket of podmanSockets(env)) {
    const host = `unix://${socket}`;
    const podman = await ask(docker, ['version', '--format', '{{.Server.Version}}'], { ...env, DOCKER_HOST: host }, timeoutMs);
    if (podman.ok) return { name: 'docker', reason: `Podman's Docker-compatible socket answered (${socket}, version ${podman.said}): capsules run in their own images, as on AWS`, workerArgs: [...LOCAL_DOCKER, '--docker', docker, '--docker-host', host] };
  }
  const why = `no Docker-compatible engine answered (${docker} version: ${engine.said || 'no answer'}${podmanSockets(env).length === 0 ? '; no Podman socket' : ''})`;
  if (choice === 'docker') throw new Error(`BENCHTOP_SANDBOX_RUNTIME=docker, but ${why}. Start Docker or Podman, or unset BENCHTOP_SANDBOX_RUNTIME.`);
  return { name: 'process', reason: `${NATIVE}: ${why}`, workerArgs: ['--runtime', 'process'] };
}

import { spawn } from 'node:child_process';
import { createImageBuilder, LOCAL_IMAGE } from './docker-images.js';
import { DEFAULT_ENVIRONMENT_CACHE_BYTES } from '../environments/native-environments.js';
import { ImageCache } from './image-cache.js';
import { describeGpus, GPU_INVENTORY_FILE, readGpuInventory } from './gpu-inventory.js';
import { checkMetadataFirewall, METADATA_FIREWALL_RULES } from './metadata-firewall.js';
import { runCommand } from './run-command.js';
import type { RunIsolation } from '../../../common/protocol/runs.js';
import { PROCESS_LIMIT } from './resource-limits.js';
import type { ChildExit, Runtime, RuntimeRequest, RunningChild } from './runtime.js';

export interface DockerRuntimeOptions {
  /** docker executable (tests put a fake first on PATH). */
  docker?: string;
  /** The metadata firewall's rules as root listed them (metadata-firewall.ts). */
  metadataFirewallRules?: string;
  /** GPU worker: runs asking for GPUs get `--gpus`. */
  gpu?: boolean;
  /** What the GPU worker's boot found (gpu-inventory.ts); read when gpu is set. */
  gpuInventory?: string;
  /** ECR repository URI for environment images (AWS); absent keeps images local. */
  registry?: string;
  /** Bridge network for runs that ask for network access. */
  networkName?: string;
  /** Linux name of that bridge. */
  bridgeName?: string;
  /** uid:gid the container runs as, so /results files belong to the worker. */
  user?: string;
  /**
   * false on a machine that is not a cloud instance (the local sandbox on a laptop): there is no
   * instance metadata service to wall off, and no root-written firewall rules to check.
   */
  metadataFirewall?: false;
  /** Environment images are evicted, least recently used first, beyond this bound (image-cache.ts). */
  imageCache?: { file: string; maxBytes?: number };
}

/** Refuses host paths that docker's --mount syntax would misread. */
function mountArg(source: string, target: string, readonly: boolean): string {
  if (/[,="]/.test(source)) throw new Error(`work folder path ${JSON.stringify(source)} contains , = or "; choose a --work folder without them`);
  return `type=bind,src=${source},dst=${target}${readonly ? ',readonly' : ''}`;
}

/** The `docker run` argv for one run: the isolation rules of DESIGN.md "Runtimes" in one place. */
export function dockerRunArgs(request: RuntimeRequest, options: { networkName: string; gpu: boolean; user?: string; containerName: string }): string[] {
  const image = request.environment.image;
  if (!image) throw new Error('the docker runtime needs a prepared environment image');
  const { cpus, memoryMb, gpus } = request.resources;
  const args = [
    'run', '--rm', '--init',
    '--name', options.containerName,
    '--label', `benchtop.run=${request.runId}`,
    '--read-only',
    '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges',
    '--pids-limit', String(PROCESS_LIMIT),
    // "none" or our own bridge, whose route to the metadata address is dropped; never "host".
    '--network', request.network ? options.networkName : 'none',
    '--mount', mountArg(request.mounts.code, '/code', true),
    '--mount', mountArg(request.mounts.data, '/data', true),
    '--mount', mountArg(request.mounts.results, '/results', false),
    '--mount', mountArg(request.mounts.scratch, '/tmp', false),
    '--workdir', '/code',
  ];
  if (options.user) args.push('--user', options.user);
  if (memoryMb) args.push('--memory', `${memoryMb}m`, '--memory-swap', `${memoryMb}m`);
  if (cpus) args.push('--cpus', String(cpus));
  if (gpus) {
    if (!options.gpu) throw new Error(`run ${request.runId} asks for ${gpus} GPU(s) but this is not a GPU worker`);
    // Docker reads --gpus as CSV, so a list of devices needs the quotes.
    args.push('--gpus', request.gpuDevices?.length ? `"device=${request.gpuDevices.join(',')}"` : String(gpus));
  }
  const env = { HOME: '/tmp', TMPDIR: '/tmp', CODE_DIR: '/code', DATA_DIR: '/data', RESULTS_DIR: '/results', ...request.env };
  for (const [name, value] of Object.entries(env)) args.push('--env', `${name}=${value}`);
  args.push('--', image, ...request.command);
  return args;
}

/** What dockerRunArgs gives a run, for its record. */
export function containerIsolation(request: RuntimeRequest): RunIsolation {
  const { cpus, memoryMb } = request.resources;
  return {
    kind: 'container',
    network: request.network,
    summary: `docker container: read-only image, /code and /data read-only, capabilities dropped; ${request.network ? 'network on (a bridge without the instance metadata service)' : 'no network'}`,
    limits: [
      ...(memoryMb ? [{ resource: 'memory' as const, value: memoryMb, unit: 'MB', via: 'docker --memory (cgroup, all processes)' }] : []),
      ...(cpus ? [{ resource: 'cpus' as const, value: cpus, unit: 'CPUs', via: 'docker --cpus (cgroup)' }] : []),
      { resource: 'processes', value: PROCESS_LIMIT, unit: 'processes', via: 'docker --pids-limit (cgroup)' },
    ],
    unlimited: [],
  };
}

/** Makes sure the runs' bridge exists; the metadata firewall drops its traffic to the instance metadata service. */
async function prepareNetwork(docker: string, networkName: string, bridgeName: string): Promise<void> {
  const inspect = await runCommand(docker, ['network', 'inspect', networkName]);
  if (inspect.code !== 0) {
    const created = await runCommand(docker, ['network', 'create', '--driver', 'bridge', '--opt', `com.docker.network.bridge.name=${bridgeName}`, networkName]);
    if (created.code !== 0) throw new Error(`could not create the docker network ${networkName}: ${created.stderr.trim()}`);
  }
}

export async function createDockerRuntime(options: DockerRuntimeOptions = {}): Promise<Runtime> {
  const docker = options.docker ?? 'docker';
  const networkName = options.networkName ?? 'benchtop-runs';
  const bridgeName = options.bridgeName ?? 'benchtop0';
  // `--add-host` only changes name resolution: the address itself must be dropped, by root, in
  // DOCKER-USER (the chain Docker evaluates before its own forwarding rules). IMDSv2 with hop
  // limit 1 (set by the stack) is the second lock: the token answer cannot cross a bridge's hop.
  if (options.metadataFirewall !== false) await checkMetadataFirewall(options.metadataFirewallRules ?? METADATA_FIREWALL_RULES);
  const version = await runCommand(docker, ['version', '--format', '{{.Server.Version}}']);
  if (version.code !== 0) throw new Error(`the docker runtime needs a running Docker engine: ${version.stderr.trim() || `docker version exited ${version.code}`}`);
  await prepareNetwork(docker, networkName, bridgeName);
  const gpus = options.gpu ? await readGpuInventory(options.gpuInventory ?? GPU_INVENTORY_FILE) : undefined;
  const images = createImageBuilder({ docker, registry: options.registry });
  const cache = options.imageCache ? new ImageCache({ docker, file: options.imageCache.file, maxBytes: options.imageCache.maxBytes ?? DEFAULT_ENVIRONMENT_CACHE_BYTES }) : null;
  return {
    name: 'docker',
    description: `docker ${version.stdout.trim()}${options.gpu ? ` (GPU: ${gpus ? describeGpus(gpus) : 'no inventory from the boot'})` : ''}`,
    ...(gpus ? { gpus } : {}),
    async prepareEnvironment(spec, log, prep) {
      const prepared = await images.prepare(spec, log, prep);
      if (!cache || !prepared.image) return prepared;
      const tags = [`${LOCAL_IMAGE}:${prepared.hash}`, ...(options.registry ? [`${options.registry}:${prepared.hash}`] : [])];
      const { release } = await cache.use(prepared.image, tags);
      return { ...prepared, release };
    },
    async start(request: RuntimeRequest): Promise<RunningChild> {
      const containerName = `benchtop-${request.runId}-${process.pid}-${Date.now().toString(36)}`;
      const args = dockerRunArgs(request, { networkName, gpu: options.gpu ?? false, user: options.user, containerName });
      return new Promise((resolve, reject) => {
        const child = spawn(docker, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const exit = new Promise<ChildExit>((done) => child.once('close', (exitCode, signal) => done({ exitCode, signal })));
        child.once('error', (error) => reject(new Error(`could not run docker: ${error.message}`)));
        child.once('spawn', () =>
          resolve({
            startedAt: Date.now(),
            stdout: child.stdout,
            stderr: child.stderr,
            exit,
            isolation: containerIsolation(request),
            // Signalling the client would orphan the container; ask the engine instead.
            signal(signal) {
              void runCommand(docker, ['kill', '--signal', signal, containerName]).catch(() => undefined);
            },
          }),
        );
      });
    },
  };
}

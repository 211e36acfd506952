import type { Readable } from 'node:stream';
import type { EnvironmentSpec } from '../../../common/protocol/capsules.js';
import type { WorkerGpus } from '../../../common/protocol/leases.js';
import type { ResolvedEnvironment, RunIsolation } from '../../../common/protocol/runs.js';

/** Host folders a run sees as /code (read-only), /data (read-only) and /results (writable). */
export interface RunMounts {
  code: string;
  data: string;
  results: string;
  /** Per-run scratch space on the host, used as /tmp where the runtime can give one. */
  scratch: string;
}

export interface RunResources {
  cpus?: number;
  memoryMb?: number;
  gpus?: number;
  timeoutSeconds?: number;
}

export interface RuntimeRequest {
  runId: string;
  /** argv, no shell; paths may name /code, /data and /results. */
  command: readonly string[];
  /** Extra environment for the run (parameters), on top of the runtime's own minimal one. */
  env: Readonly<Record<string, string>>;
  mounts: RunMounts;
  network: boolean;
  resources: RunResources;
  /** Which GPUs (indices) the run gets when its worker shares them among runs; else any `gpus` of them. */
  gpuDevices?: readonly number[];
  /** What prepareEnvironment answered for this run's environment. */
  environment: PreparedEnvironment;
}

export interface ChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** A started run. Its streams must be read (or paused, for back-pressure) by the caller. */
export interface RunningChild {
  /** Wall clock (ms since epoch) at which the operating system started the child. */
  readonly startedAt: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exit: Promise<ChildExit>;
  /** How the run is confined, for its record and log. */
  readonly isolation: RunIsolation;
  /** The run's process group on this machine (recorded so that a later worker can sweep it). */
  readonly processGroup?: number;
  /** Sends a signal to everything the run started; never throws once the run is gone. */
  signal(signal: NodeJS.Signals): void;
}

/** The environment a run executes in, as recorded in its run record. */
export interface PreparedEnvironment {
  spec: EnvironmentSpec;
  /** Content hash of the spec (see environment-hash.ts). */
  hash: string;
  /** Image reference the docker runtime runs (tag or repository@digest); absent for process. */
  image?: string;
  /** Registry digest when the image was pushed (ECR), pinned in the run record. */
  digest?: string;
  /** What the run executes in, for its record; a rerun installs exactly this again. */
  resolved: ResolvedEnvironment;
  /** A native environment: what the run's process needs to use it. */
  native?: NativeEnvironmentUse;
  /** The run no longer needs the environment (it may be evicted from the cache). */
  release?(): void;
}

/** How a process uses a native environment: its programs first on PATH, its variables, the host folders it reads. */
export interface NativeEnvironmentUse {
  path: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Host folders a confined run must read at their own path (the environment, its interpreter). */
  readOnly: readonly string[];
}

/** What a run asks of its environment beyond the spec. */
export interface PrepareOptions {
  /** A rerun: the environment the original resolved to (installed again exactly). */
  lock?: ResolvedEnvironment | null;
  /** A rerun on docker: the image digest the original ran. */
  imageDigest?: string | null;
  /** Go on, marked partial, when part of the spec cannot be honoured here (apt packages natively). */
  partial?: boolean;
}

export interface Runtime {
  readonly name: 'process' | 'docker';
  /** One line for logs and the run record, e.g. "process (bubblewrap)". */
  readonly description: string;
  /** A GPU worker's GPUs as its boot found them, reported to the platform with each lease request. */
  readonly gpus?: WorkerGpus;
  prepareEnvironment(spec: EnvironmentSpec, log: (line: string) => void, options?: PrepareOptions): Promise<PreparedEnvironment>;
  start(request: RuntimeRequest): Promise<RunningChild>;
}

/**
 * SIGTERM, then SIGKILL if the run has not exited after `graceMs`. Resolves with how it ended.
 */
export async function stopChild(child: RunningChild, graceMs: number): Promise<ChildExit> {
  child.signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.signal('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exit, killed]);
  clearTimeout(timer);
  return child.exit;
}

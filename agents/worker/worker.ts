import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { appVersion } from '../../lib/app-version.js';
import { createPlatformClient, PlatformError } from '../../lib/protocol/client.js';
import { Backoff, sleep } from '../../lib/retry.js';
import type { Lease, NextLeaseRequest, PurchaseOption, QueueName } from '../../common/protocol/index.js';
import { DatasetCache } from './dataset-cache.js';
import { LeaseReleaser } from './lease-release.js';
import { NextLeaseSupport, type NextLeaseAsk } from './next-lease.js';
import { runLease, type LeaseExecution } from './run-lease.js';
import { sweepStaleRunGroups } from './run-process-groups.js';
import type { Runtime } from './runtimes/runtime.js';
import { SlotPool, type SlotGrant, type WorkerSlots } from './slot-pool.js';
import { removeRunFolder, RunStager } from './staging.js';
import { openWorkerStateFile } from './state-file.js';

export interface WorkerOptions {
  url: string;
  token: string;
  queue: QueueName;
  runtime: Runtime;
  workDir: string;
  workerId?: string;
  instanceType?: string;
  hourlyCostUsd?: number;
  /** How the instance is bought; the platform prices the instance type with it. */
  purchaseOption?: PurchaseOption;
  /** The content-addressed dataset cache, shared by every worker that mounts it; default `<work>/cache/datasets`. */
  datasetCacheDir?: string;
  /** Least recently used dataset blobs are evicted while the cache holds more than this. */
  datasetCacheMaxBytes?: number;
  /** Shared out among concurrent runs by what each asks; absent: one run at a time. */
  slots?: WorkerSlots;
  /** Long-poll wait per lease request. */
  pollWaitMs?: number;
  /** How long a draining worker lets its current run go on before handing it back (its lease is given back then). */
  drainGraceMs?: number;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Where the worker keeps its run count and idle time for the instance's idle check (state-file.ts). */
  stateFile?: string;
  log?: (message: string) => void;
}

export interface Worker {
  readonly workerId: string;
  /** Takes no new lease; the current run finishes within the grace period or is handed back. */
  drain(): Promise<void>;
  /** Settles when the loop has ended (after drain, or a fatal error such as a revoked token). */
  readonly stopped: Promise<void>;
}

/** A lease a completion handed on, with its share of the slots already taken. */
interface HandedOn {
  lease: Lease;
  grant: SlotGrant | undefined;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const log = options.log ?? ((message: string) => process.stderr.write(`worker: ${message}\n`));
  const client = createPlatformClient({ url: options.url, token: options.token });
  const me = await client.me();
  if (me.user.role !== 'worker') throw new Error(`the token belongs to "${me.user.name}", a ${me.user.role}; a worker needs a worker token`);
  const workerId = options.workerId ?? `${hostname()}-${process.pid}`;
  await mkdir(options.workDir, { recursive: true });
  // A work folder belongs to one worker: whatever runs/ holds now was left by a previous process
  // that died mid-run, and its leases are long gone or about to lapse. Its runs die with it, but
  // a run whose supervisor was killed too would go on: end those first.
  sweepStaleRunGroups(join(options.workDir, 'runs'), log);
  await removeRunFolder(join(options.workDir, 'runs'));
  const datasets = new DatasetCache({ dir: options.datasetCacheDir ?? join(options.workDir, 'cache', 'datasets'), maxBytes: options.datasetCacheMaxBytes, log });
  const stager = new RunStager(options.workDir, client, datasets, workerId);
  await stager.sweep();
  const pollWaitMs = options.pollWaitMs ?? 20_000;
  const drainGraceMs = options.drainGraceMs ?? 30_000;

  let draining = false;
  const running = new Set<LeaseExecution>();
  const state = options.stateFile ? openWorkerStateFile(options.stateFile, { log }) : null;
  const slots = options.slots ? new SlotPool(options.slots) : null;
  const polling = new AbortController();
  const nextLeases = new NextLeaseSupport();
  const releaser = new LeaseReleaser(client, log);
  // Releases under way: the worker's end waits for them (each is bounded by a short deadline).
  const givingBack = new Set<Promise<boolean>>();
  let looping = true;

  /** A lease this worker will not run (it is shutting down): the run is queued again at once, its attempt not counted. */
  function giveBack(lease: Lease, reason: string): void {
    const release = releaser.release(lease, reason);
    givingBack.add(release);
    void release.finally(() => givingBack.delete(release));
  }

  /** What every lease request of this worker says about it. */
  const asWorker = (): NextLeaseRequest => ({ queue: options.queue, workerId, instanceType: options.instanceType, hourlyCostUsd: options.hourlyCostUsd, purchaseOption: options.purchaseOption, slots: options.slots, gpus: options.runtime.gpus, agentVersion: appVersion() });

  /**
   * The next lease a completing run asks for. A worker with slots may be polling for other runs at
   * the same time, so it asks only for a run that fits what the completing run gives back.
   */
  function nextLeaseAsk(grant: SlotGrant | undefined): NextLeaseAsk {
    return {
      request: () => {
        if (draining || !looping || !nextLeases.worthAsking) return undefined;
        return grant ? { ...asWorker(), free: { cpus: grant.cpus, memoryMb: grant.memoryMb, gpus: grant.gpuDevices.length } } : asWorker();
      },
      refused: () => {
        if (nextLeases.refused()) log('the platform does not lease the next run with a completion (an older services agent): asking for each lease on its own');
      },
    };
  }

  /**
   * Runs a lease on its share of the slots (taken as it was leased); settles once it is over and its
   * share is back, with the lease its completion handed on and that lease's share.
   */
  function start(lease: Lease, grant = slots?.take(lease.run.resources)): Promise<HandedOn | null> {
    const execution = runLease({ client, runtime: options.runtime, lease, workDir: options.workDir, workerId, stager, killGraceMs: options.killGraceMs ?? 10_000, gpuDevices: grant?.gpuDevices, nextLease: nextLeaseAsk(grant), releaser, log });
    running.add(execution);
    state?.set(running.size);
    const over = () => {
      running.delete(execution);
      state?.set(running.size);
    };
    return execution.done.then(
      ({ next }) => {
        over();
        const runNext = next && !draining && looping;
        if (next && !runNext) giveBack(next, 'the worker began shutting down as a completion handed this run on to it');
        // The handed-on run takes its share in the same step as this run gives its own back (the GPUs
        // it was asked for among them): the loop the release wakes must not see that share free,
        // nor the pool idle, and lease over it.
        if (grant) slots?.release(grant);
        return runNext ? { lease: next, grant: slots?.take(next.run.resources) } : null;
      },
      (error: unknown) => {
        over();
        if (grant) slots?.release(grant);
        throw error;
      },
    );
  }

  /** A worker with slots starts a handed-on lease at once: its loop may be in a long poll. */
  function startAlongside(lease: Lease, grant?: SlotGrant): void {
    void start(lease, grant).then(
      (handed) => handed && startAlongside(handed.lease, handed.grant),
      (error: Error) => log(`run of lease ${lease.leaseId} failed on the worker: ${error.message}`),
    );
  }

  async function loop(): Promise<void> {
    // Jittered, so the workers of a platform that comes back do not all poll again at once.
    const backoff = new Backoff({ baseMs: 200, maxMs: 5_000 });
    // A worker without slots runs one lease at a time: the one its last completion handed on comes first.
    let handedOn: HandedOn | null = null;
    while (!draining) {
      if (handedOn) {
        handedOn = await start(handedOn.lease, handedOn.grant);
        continue;
      }
      if (slots && !slots.hasRoom()) {
        await slots.released(polling.signal);
        continue;
      }
      // A busy worker asks only for a run that fits what it has left; an idle one takes any.
      const free = slots && !slots.idle ? slots.free() : undefined;
      let lease: Lease | null;
      try {
        // Draining aborts a long poll at once; a lease the platform took for the poll as it was
        // aborted is given back by the platform itself, one that arrived is given back below.
        lease = await client.lease({ ...asWorker(), free, waitMs: pollWaitMs }, { signal: polling.signal });
        backoff.succeed();
      } catch (error) {
        if (draining) return;
        if (error instanceof PlatformError && (error.status === 401 || error.status === 403)) throw new Error(`the platform refused the worker token: ${error.message}`);
        log(`lease request failed (${(error as Error).message}); retrying`);
        // Draining aborts the wait as it aborts the poll.
        await sleep(backoff.fail(), polling.signal).catch(() => undefined);
        continue;
      }
      if (!lease) continue;
      if (draining) {
        giveBack(lease, 'the worker began shutting down as this lease arrived');
        return;
      }
      if (slots) startAlongside(lease);
      else handedOn = await start(lease);
    }
  }

  async function runAll(): Promise<void> {
    try {
      await loop();
    } finally {
      looping = false;
      await Promise.allSettled([...running].map((execution) => execution.done));
      await Promise.allSettled([...givingBack]);
      await state?.close();
    }
  }

  const stopped = runAll();
  let drained: Promise<void> | null = null;
  return {
    workerId,
    stopped,
    drain() {
      drained ??= (async () => {
        draining = true;
        polling.abort();
        const current = [...running];
        if (current.length > 0) {
          log(`draining: letting the current run${current.length === 1 ? '' : `s (${current.length})`} finish (up to ${drainGraceMs} ms)`);
          const timer = setTimeout(() => current.forEach((execution) => execution.handBack()), drainGraceMs);
          await Promise.allSettled(current.map((execution) => execution.done));
          clearTimeout(timer);
        }
        await stopped.catch(() => undefined);
      })();
      return drained;
    },
  };
}

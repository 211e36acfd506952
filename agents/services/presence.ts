import type { QueueName } from '../../common/protocol/common.js';
import type { WorkerGpus } from '../../common/protocol/leases.js';

const QUEUE_LABEL: Record<QueueName, string> = { cpu: 'CPU', gpu: 'GPU' };

/**
 * Which workers are online (they polled or heartbeated recently) and whether the scaler said it is
 * adding workers. Kept in memory on purpose: after a restart workers reappear within one poll.
 * The map is bounded by `maxWorkers`; the stalest entries go first. A worker's GPUs come with its
 * lease requests; a heartbeat, which carries none, keeps what the last request said.
 */
export class Presence {
  private readonly lastSeen = new Map<string, { queue: QueueName; at: number; gpus?: WorkerGpus; version?: string }>();
  private readonly scaling: Record<QueueName, boolean> = { cpu: false, gpu: false };

  constructor(
    private readonly onlineMs: number,
    private readonly maxWorkers = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  seen(workerId: string, queue: QueueName, gpus?: WorkerGpus, version?: string): void {
    const known = this.lastSeen.get(workerId);
    this.lastSeen.delete(workerId);
    const agentVersion = version ?? known?.version;
    this.lastSeen.set(workerId, { queue, at: this.now(), gpus: gpus ?? known?.gpus, ...(agentVersion ? { version: agentVersion } : {}) });
    while (this.lastSeen.size > this.maxWorkers) this.lastSeen.delete(this.lastSeen.keys().next().value!);
  }

  online(queue: QueueName): number {
    const cutoff = this.now() - this.onlineMs;
    let count = 0;
    for (const entry of this.lastSeen.values()) if (entry.queue === queue && entry.at >= cutoff) count++;
    return count;
  }

  /** The GPUs of the queue's online workers, counted by model. */
  gpus(queue: QueueName): Array<{ model: string; count: number }> {
    const cutoff = this.now() - this.onlineMs;
    const byModel = new Map<string, number>();
    for (const entry of this.lastSeen.values()) {
      if (entry.queue !== queue || entry.at < cutoff || !entry.gpus) continue;
      for (const gpu of entry.gpus.gpus) byModel.set(gpu.model, (byModel.get(gpu.model) ?? 0) + 1);
    }
    return [...byModel].sort(([a], [b]) => a.localeCompare(b)).map(([model, count]) => ({ model, count }));
  }

  /** The agent versions the queue's online workers announced, counted (workers that sent none are left out). */
  versions(queue: QueueName): Array<{ version: string; count: number }> {
    const cutoff = this.now() - this.onlineMs;
    const byVersion = new Map<string, number>();
    for (const entry of this.lastSeen.values()) {
      if (entry.queue !== queue || entry.at < cutoff || !entry.version) continue;
      byVersion.set(entry.version, (byVersion.get(entry.version) ?? 0) + 1);
    }
    return [...byVersion].sort(([a], [b]) => a.localeCompare(b)).map(([version, count]) => ({ version, count }));
  }

  setScaling(queue: QueueName, scalingUp: boolean): void {
    this.scaling[queue] = scalingUp;
  }

  isScaling(queue: QueueName): boolean {
    return this.scaling[queue];
  }

  /** Why a queued run of `queue` has not started, in plain words. */
  waitingReason(queue: QueueName): string {
    const label = QUEUE_LABEL[queue];
    if (this.online(queue) > 0) return `waiting for a ${label} worker`;
    if (this.scaling[queue]) return `scaling up the ${label} workers`;
    return `no ${label} worker online`;
  }
}

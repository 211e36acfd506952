import type { Resources } from '../../common/protocol/index.js';

/** What one worker shares out among the runs it runs at once. */
export interface WorkerSlots {
  cpus: number;
  memoryMb: number;
  gpus: number;
}

/** A run's share of the pool, handed back when it ends; `gpuDevices` are the GPU indices it got. */
export interface SlotGrant {
  cpus: number;
  memoryMb: number;
  gpuDevices: number[];
}

// The smallest run the platform accepts (resourcesRequest): with less free, asking is pointless.
const MIN_CPUS = 0.1;
const MIN_MEMORY_MB = 64;

/**
 * Parses `cpus=4,memory-mb=15360,gpus=1` (the worker's --slots, computed at boot from the
 * instance). Answers an error sentence for anything else.
 */
export function parseSlots(text: string): WorkerSlots | string {
  const values = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, value, extra] = part.split('=');
    const n = Number(value);
    if (!name || value === undefined || extra !== undefined || value.trim() === '' || !Number.isFinite(n) || n < 0) return `--slots: "${part}" is not name=number`;
    if (!['cpus', 'memory-mb', 'gpus'].includes(name)) return `--slots: unknown "${name}" (cpus, memory-mb, gpus)`;
    values.set(name, n);
  }
  const slots = { cpus: values.get('cpus') ?? 0, memoryMb: values.get('memory-mb') ?? 0, gpus: values.get('gpus') ?? 0 };
  if (slots.cpus < MIN_CPUS) return `--slots: cpus must be at least ${MIN_CPUS}`;
  if (slots.memoryMb < MIN_MEMORY_MB || !Number.isInteger(slots.memoryMb)) return `--slots: memory-mb must be a whole number of at least ${MIN_MEMORY_MB}`;
  if (!Number.isInteger(slots.gpus)) return '--slots: gpus must be a whole number';
  return slots;
}

/**
 * The worker's capacity, shared among its runs by what each asks (cpus, memoryMb, gpus). An idle
 * worker takes any run, even one bigger than the whole pool (it runs alone, as before slots); a
 * busy one asks only for runs that fit what is left.
 */
export class SlotPool {
  private usedCpus = 0;
  private usedMemoryMb = 0;
  private readonly freeGpus: number[];
  private grants = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly capacity: WorkerSlots) {
    this.freeGpus = Array.from({ length: capacity.gpus }, (_, i) => i);
  }

  get idle(): boolean {
    return this.grants === 0;
  }

  /** What is left for another run (never below zero). */
  free(): WorkerSlots {
    return {
      cpus: Math.max(0, Math.round((this.capacity.cpus - this.usedCpus) * 1000) / 1000),
      memoryMb: Math.max(0, this.capacity.memoryMb - this.usedMemoryMb),
      gpus: this.freeGpus.length,
    };
  }

  /** Whether another run could fit at all. */
  hasRoom(): boolean {
    const free = this.free();
    return this.idle || (free.cpus >= MIN_CPUS && free.memoryMb >= MIN_MEMORY_MB);
  }

  take(resources: Pick<Resources, 'cpus' | 'memoryMb' | 'gpus'>): SlotGrant {
    this.grants += 1;
    this.usedCpus += resources.cpus;
    this.usedMemoryMb += resources.memoryMb;
    // More GPUs than are free only reaches an idle worker: the run gets no device list, so Docker
    // refuses `--gpus N` beyond what the machine has, as it did before slots.
    const gpuDevices = resources.gpus <= this.freeGpus.length ? this.freeGpus.splice(0, resources.gpus) : [];
    return { cpus: resources.cpus, memoryMb: resources.memoryMb, gpuDevices };
  }

  release(grant: SlotGrant): void {
    this.grants -= 1;
    this.usedCpus -= grant.cpus;
    this.usedMemoryMb -= grant.memoryMb;
    this.freeGpus.push(...grant.gpuDevices);
    this.freeGpus.sort((a, b) => a - b);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Settles when a run hands its share back, or when `signal` aborts. */
  released(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = () => {
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

import { statfs } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parsePrometheusText } from './prometheus-text.js';
import { RingBuffer } from './ring-buffer.js';
import { sampleFrom, type SandboxSample } from './sandbox-sample.js';

export interface MetricsSamplerOptions {
  /** GET /metrics of the sandbox's services agent (Prometheus text). */
  readMetrics: () => Promise<string>;
  /** The folder whose file system's fullness is the "disk" chart and alarm. */
  dataDir: string;
  intervalMs?: number;
  /** How many samples are kept (24 hours of 10-second samples by default). */
  capacity?: number;
  now?: () => number;
}

/**
 * The sandbox's history, kept by the app: its services agent only knows the present (/metrics is
 * a snapshot), so the app reads it every 10 seconds into a ring buffer while it runs. A failed
 * reading (agent restarting) is skipped, not stored as zeros: the charts show a gap there.
 */
export class MetricsSampler {
  readonly samples: RingBuffer<SandboxSample>;
  readonly startedAt: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;
  lastError: string | undefined;
  private readonly listeners = new Set<(sample: SandboxSample) => void>();

  constructor(private readonly options: MetricsSamplerOptions) {
    this.samples = new RingBuffer(options.capacity ?? 8640);
    this.startedAt = this.now();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Called after every stored sample (the local alarm rules). */
  onSample(listener: (sample: SandboxSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes one reading now (also what the timer does); concurrent calls share one reading. */
  sample(): Promise<void> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async read(): Promise<void> {
    try {
      const [text, disk] = await Promise.all([this.options.readMetrics(), diskPercent(this.options.dataDir)]);
      const cpuPercent = (loadavg()[0]! / Math.max(1, cpus().length)) * 100;
      const sample = sampleFrom(parsePrometheusText(text), this.now(), { cpuPercent, diskPercent: disk });
      this.samples.push(sample);
      this.lastError = undefined;
      for (const listener of this.listeners) listener(sample);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

async function diskPercent(dir: string): Promise<number> {
  const s = await statfs(dir);
  const used = s.blocks - s.bfree;
  // As df counts it: the blocks reserved for root are not space the user can fill.
  const usable = used + s.bavail;
  return usable > 0 ? (used / usable) * 100 : 0;
}

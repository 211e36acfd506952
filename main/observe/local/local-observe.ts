import { join } from 'node:path';
import { ApiError } from '../../../common/api/errors.js';
import type { AlarmInfo, MetricsAnswer } from '../../../common/api/observe.contract.js';
import { createPlatformClient } from '../../../lib/protocol/client.js';
import type { LocalPlatform } from '../../platform/connection/platform-registry.js';
import { localCharts, localPeriod } from './local-charts.js';
import { DEFAULT_LIMITS, LocalAlarms, type LocalRuleLimits } from './local-alarms.js';
import { MetricsSampler } from './metrics-sampler.js';

export interface LocalObserveOptions {
  /** The sandbox's data folder (`<app-data>/sandbox`): its logs/ and the disk it is on. */
  sandboxDir: string;
  platform: LocalPlatform | Promise<LocalPlatform>;
  sampleMs?: number;
  limits?: LocalRuleLimits;
}

/**
 * Observe for the local sandbox: the app samples the services agent's /metrics from the moment
 * the sandbox answers, evaluates the local alarm rules on each sample, and reads the agents' log
 * files in `<sandbox>/logs`.
 */
export class LocalObserve {
  readonly logsDir: string;
  readonly alarms: LocalAlarms;
  private sampler: MetricsSampler | undefined;
  private failed: string | undefined;
  private stopped = false;
  private readonly sampleMs: number;

  constructor(options: LocalObserveOptions) {
    this.logsDir = join(options.sandboxDir, 'logs');
    this.sampleMs = options.sampleMs ?? 10_000;
    this.alarms = new LocalAlarms(options.limits ?? DEFAULT_LIMITS);
    Promise.resolve(options.platform).then(
      (p) => {
        // Stopped (the app quitting) before the sandbox answered: no sampler, no timer left behind.
        if (this.stopped) return;
        const client = createPlatformClient({ url: p.url, token: p.token });
        this.sampler = new MetricsSampler({ readMetrics: () => client.metrics(), dataDir: options.sandboxDir, intervalMs: this.sampleMs });
        this.sampler.onSample(() => this.alarms.evaluate(this.sampler!.samples.toArray()));
        this.sampler.start();
      },
      (error: unknown) => (this.failed = error instanceof Error ? error.message : String(error)),
    );
  }

  private ready(): MetricsSampler {
    if (this.sampler) return this.sampler;
    if (this.failed) throw new ApiError('unavailable', `The local sandbox did not start: ${this.failed}`, 'Restart Benchtop; its log says why the sandbox stopped.');
    throw new ApiError('unavailable', 'The local sandbox is still starting.', 'Wait a few seconds and try again.');
  }

  async metrics(from: number, to: number): Promise<MetricsAnswer> {
    const sampler = this.ready();
    // Answer with the present too: a fresh reading when the last one is older than the interval.
    if ((sampler.samples.last()?.at ?? 0) < Date.now() - this.sampleMs) await sampler.sample();
    const answer = localCharts(sampler.samples.toArray(), from, to, localPeriod(from, to, this.sampleMs / 1000), sampler.startedAt);
    if (sampler.lastError) answer.notes.push(`The last reading of the sandbox failed: ${sampler.lastError}`);
    return answer;
  }

  listAlarms(reasons: ReadonlyMap<string, string>): AlarmInfo[] {
    return this.alarms.list(this.sampler?.samples.toArray() ?? [], reasons);
  }

  checkAlarm(name: string): void {
    if (!this.alarms.has(name)) throw new ApiError('not-found', `The sandbox has no alarm "${name}".`, 'Pick one from the list.');
  }

  stop(): void {
    this.stopped = true;
    this.sampler?.stop();
  }
}

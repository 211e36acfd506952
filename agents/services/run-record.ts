import type { EnvironmentSpec } from '../../common/protocol/capsules.js';
import type { QueueName } from '../../common/protocol/common.js';
import type { ResultsManifest } from '../../common/protocol/results.js';
import type { DatasetPin, Parameters, ResolvedEnvironment, Resources, Run, RunInputPin, RunIsolation, RunState } from '../../common/protocol/runs.js';

/** A row of the runs table as SQLite gives it back. */
export interface RunRow {
  n: number; id: string; user_id: string; capsule_id: string; commit_sha: string; environment: string;
  environment_hash: string; image_digest: string | null; datasets: string; command: string; parameters: string;
  resources: string; queue: QueueName; state: RunState; cancel_requested: number; attempts: number; max_attempts: number;
  lease_id: string | null; worker_id: string | null; worker_instance_type: string | null; hourly_cost_usd: number | null;
  created_at: string; leased_at: string | null; started_at: string | null; finished_at: string | null;
  exit_code: number | null; error: string | null; results: string | null; cost_usd: number | null; rerun_of: string | null;
  network: number; isolation: string | null;
  cost_source: string | null; cost_share: number | null;
  cancelled_by: string | null; secrets: string; secrets_sealed: number; inputs: string;
  resolved_environment: string | null; environment_lock: string | null; partial_environment: number;
}

export function toRun(r: RunRow, waitingReason: (queue: QueueName) => string): Run {
  return {
    id: r.id,
    capsuleId: r.capsule_id,
    commit: r.commit_sha,
    environment: JSON.parse(r.environment) as EnvironmentSpec,
    environmentHash: r.environment_hash,
    imageDigest: r.image_digest,
    resolvedEnvironment: r.resolved_environment ? (JSON.parse(r.resolved_environment) as ResolvedEnvironment) : null,
    partialEnvironment: r.partial_environment === 1,
    datasets: JSON.parse(r.datasets) as DatasetPin[],
    command: JSON.parse(r.command) as string[],
    parameters: JSON.parse(r.parameters) as Parameters,
    resources: JSON.parse(r.resources) as Resources,
    queue: r.queue,
    network: r.network === 1,
    isolation: r.isolation ? (JSON.parse(r.isolation) as RunIsolation) : null,
    state: r.state,
    waitingReason: r.state === 'queued' ? waitingReason(r.queue) : null,
    cancelRequested: r.cancel_requested === 1,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    workerId: r.worker_id,
    workerInstanceType: r.worker_instance_type,
    createdAt: r.created_at,
    leasedAt: r.leased_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    exitCode: r.exit_code,
    error: r.error,
    results: r.results ? (JSON.parse(r.results) as ResultsManifest) : null,
    costUsd: r.cost_usd,
    costSource: r.cost_source,
    rerunOf: r.rerun_of,
    userId: r.user_id,
    secretParameters: Object.keys(JSON.parse(r.secrets) as Parameters),
    cancelledBy: r.cancelled_by,
    inputs: JSON.parse(r.inputs) as RunInputPin[],
  };
}

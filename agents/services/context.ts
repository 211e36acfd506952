import type { LogLine } from '../../common/protocol/logs.js';
import type { AccessPolicy } from './access-policy.js';
import type { ReproChecks } from './repro-checks.js';
import type { CapsulesStore } from './capsules-store.js';
import type { CostAndBackups } from './cost-and-backups.js';
import type { DatasetsStore } from './datasets-store.js';
import type { Db, WriteQueue } from './db.js';
import type { LeaseManager } from './lease-manager.js';
import type { LogsReader } from './logs-reader.js';
import type { DurationHistogram, MetricsSnapshot } from './metrics.js';
import type { Presence } from './presence.js';
import type { ResultsStore } from './results-store.js';
import type { RunsStore } from './runs-store.js';
import type { UsersStore } from './users-store.js';

/** Everything the routes need, built once by startServices. */
export interface Services {
  version: string;
  startedAt: number;
  db: Db;
  writes: WriteQueue;
  users: UsersStore;
  /** Who may read or change which capsule, dataset and run. */
  access: AccessPolicy;
  /** Scheduled reproducibility checks of capsules. */
  checks: ReproChecks;
  capsules: CapsulesStore;
  datasets: DatasetsStore;
  runs: RunsStore;
  leases: LeaseManager;
  logs: LogsReader;
  results: ResultsStore;
  presence: Presence;
  /** Run prices, the budget's hard stop, the database's own backups and restore drills. */
  costAndBackups: CostAndBackups;
  durations: DurationHistogram;
  snapshot(): MetricsSnapshot;
  sse: { pageSize: number; keepAliveMs: number };
  /** A copy of every stored log line goes here too (CloudWatch Logs on AWS); absent in the sandbox. */
  logSink?: LogSink;
}

/** Receives log lines after they are stored; must not block (it buffers and ships on its own). */
export interface LogSink {
  write(runId: string, lines: LogLine[]): void;
}

import type { Readable } from 'node:stream';
import type { FileEntry } from '../protocol/datasets.js';
import type { Comparison, ResultsManifest } from '../protocol/results.js';
import type { LeaseManager } from './lease-manager.js';
import { notFound, conflict } from './http-error.js';
import type { ObjectStore } from './object-store.js';
import type { RunsStore } from './runs-store.js';

/** Result files: streamed in by the worker (checked against their sha256), listed and compared. */
export class ResultsStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly leases: LeaseManager,
    private readonly runs: RunsStore,
    private readonly maxUploadBytes: number,
  ) {}

  async upload(leaseId: string, fencingToken: number, path: string, sha256: string, body: Readable): Promise<FileEntry> {
    const { runId } = this.leases.checkLive(leaseId, fencingToken);
    // Each lease writes under its own prefix: a stale worker's bytes can never replace a live one's.
    const key = `results/${runId}/${leaseId}/${path}`;
    const stored = await this.objects.put(key, body, { sha256, maxBytes: this.maxUploadBytes });
    const entry = { path, size: stored.size, sha256: stored.sha256 };
    await this.leases.recordResult(leaseId, fencingToken, entry, key);
    return entry;
  }

  manifest(runId: string): ResultsManifest {
    const run = this.runs.get(runId);
    if (!run.results) throw conflict(`run ${runId} is ${run.state}; its results are listed once it has finished`);
    return run.results;
  }

  async open(runId: string, path: string): Promise<{ entry: FileEntry; body: Readable }> {
    const entry = this.manifest(runId).files.find((f) => f.path === path);
    const key = entry && this.leases.resultKey(runId, path);
    if (!entry || !key) throw notFound(`result file ${path} of run ${runId}`);
    const body = await this.objects.get(key);
    if (!body) throw notFound(`the bytes of result file ${path} of run ${runId}`);
    return { entry, body };
  }

  compare(a: string, b: string): Comparison {
    const before = new Map(this.manifest(a).files.map((f) => [f.path, f.sha256]));
    const after = new Map(this.manifest(b).files.map((f) => [f.path, f.sha256]));
    const changed: string[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    for (const [path, sha] of after) {
      const old = before.get(path);
      if (old === undefined) added.push(path);
      else if (old !== sha) changed.push(path);
    }
    for (const path of before.keys()) if (!after.has(path)) removed.push(path);
    return { identical: changed.length + added.length + removed.length === 0, changed: changed.sort(), added: added.sort(), removed: removed.sort() };
  }
}

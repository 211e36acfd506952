import type { Readable } from 'node:stream';
import type { FileEntry } from '../../common/protocol/datasets.js';
import type { Comparison, ResultsManifest } from '../../common/protocol/results.js';
import type { Db } from './db.js';
import { HttpError, notFound, conflict } from './http-error.js';
import type { LeaseManager } from './lease-manager.js';
import type { ObjectStore } from './object-store.js';
import type { RunLimits } from '../../common/limits.js';
import { bytesText } from './run-limits.js';
import type { RunsStore } from './runs-store.js';

export interface ResultsLimits extends Pick<RunLimits, 'maxResultFiles' | 'maxResultBytes'> {
  /** Largest single upload, bytes. */
  maxFileBytes: number;
}

const tooLarge = (message: string) => new HttpError('bad-input', message, 413);

/** Result files: streamed in by the worker (checked against their sha256), listed and compared. */
export class ResultsStore {
  constructor(
    private readonly db: Db,
    private readonly objects: ObjectStore,
    private readonly leases: LeaseManager,
    private readonly runs: RunsStore,
    private readonly limits: ResultsLimits,
  ) {}

  async upload(leaseId: string, fencingToken: number, path: string, sha256: string, body: Readable): Promise<FileEntry> {
    const { runId } = this.leases.checkLive(leaseId, fencingToken);
    this.refuseClash(leaseId, path);
    const room = this.room(runId, leaseId, path);
    // Each lease writes under its own prefix: a stale worker's bytes can never replace a live one's.
    const key = `results/${runId}/${leaseId}/${path}`;
    const replacing = this.stored(leaseId, path);
    const maxBytes = Math.min(this.limits.maxFileBytes, room);
    let stored: { size: number; sha256: string };
    try {
      stored = await this.objects.put(key, body, { sha256, maxBytes });
    } catch (error) {
      if (error instanceof HttpError && error.status === 413) throw this.overLimit(path, maxBytes < this.limits.maxFileBytes);
      throw error;
    }
    const entry = { path, size: stored.size, sha256: stored.sha256 };
    try {
      // Checked again in the write that records the file: concurrent uploads of one run race.
      await this.leases.recordResult(leaseId, fencingToken, entry, key, () => {
        this.refuseClash(leaseId, path);
        if (stored.size > this.room(runId, leaseId, path)) throw this.overLimit(path, true);
      });
    } catch (error) {
      if (!replacing) await this.objects.delete(key);
      throw error;
    }
    return entry;
  }

  private stored(leaseId: string, path: string): boolean {
    return this.db.prepare('SELECT 1 FROM result_uploads WHERE lease_id = ? AND path = ?').get(leaseId, path) !== undefined;
  }

  /** 409 when `path` would be a file inside a file, or a file where a folder of results is. */
  private refuseClash(leaseId: string, path: string): void {
    const parts = path.split('/');
    for (let k = 1; k < parts.length; k++) {
      const folder = parts.slice(0, k).join('/');
      if (this.stored(leaseId, folder)) throw conflict(`result "${path}" is inside "${folder}", which this run already has as a file; rename one of them`);
    }
    // Paths under "a/" sort between "a/" and "a0" ("0" follows "/").
    const inside = this.db
      .prepare('SELECT path FROM result_uploads WHERE lease_id = ? AND path > ? AND path < ? LIMIT 1')
      .get(leaseId, `${path}/`, `${path}0`) as { path: string } | undefined;
    if (inside) throw conflict(`result "${path}" would be a file where this run already has a folder (it holds "${inside.path}"); rename one of them`);
  }

  /** Bytes this run may still store as `path` (413 when it is at its file count already). */
  private room(runId: string, leaseId: string, path: string): number {
    // Re-uploading a path of this lease replaces it: its old bytes and its place do not count.
    const used = this.db
      .prepare(
        `SELECT count(*) AS files, coalesce(sum(u.size), 0) AS bytes FROM leases l JOIN result_uploads u ON u.lease_id = l.id
         WHERE l.run_id = ? AND NOT (u.lease_id = ? AND u.path = ?)`,
      )
      .get(runId, leaseId, path) as { files: number; bytes: number };
    if (used.files >= this.limits.maxResultFiles) {
      throw tooLarge(`result "${path}" refused: this run already has ${used.files} result files, its limit (maxResultFiles, --max-result-files) is ${this.limits.maxResultFiles}`);
    }
    return Math.max(0, this.limits.maxResultBytes - used.bytes);
  }

  private overLimit(path: string, perRun: boolean): HttpError {
    return perRun
      ? tooLarge(`result "${path}" refused: this run's results may hold at most ${bytesText(this.limits.maxResultBytes)} in all (maxResultBytes, --max-result-bytes)`)
      : tooLarge(`result "${path}" refused: one file may have at most ${bytesText(this.limits.maxFileBytes)} (maxUploadBytes)`);
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

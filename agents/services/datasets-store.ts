import type { Readable } from 'node:stream';
import { canonicalManifest, type CompleteUploadRequest, type Dataset, type DatasetVersion, type FileEntry, type StartUploadResponse } from '../../common/protocol/datasets.js';
import type { Db, WriteQueue } from './db.js';
import { badInput, HttpError, notFound } from './http-error.js';
import { newId, nowIso, sha256 } from './ids.js';
import type { ObjectStore } from './object-store.js';
import type { Visibility } from '../../common/protocol/sharing.js';
import type { User } from '../../common/protocol/users.js';
import type { SqlScope } from './access-policy.js';
import { recordAudit } from './audit-log.js';

interface DatasetRow { n: number; id: string; name: string; description: string; latest_version: string | null; created_at: string; owner_id: string; visibility: Visibility }
interface VersionRow { n: number; dataset_id: string; version: string; message: string; files: string; size: number; created_at: string }

const toDataset = (r: DatasetRow, collaborators: string[]): Dataset => ({
  id: r.id, name: r.name, description: r.description, latestVersion: r.latest_version, createdAt: r.created_at,
  sharing: { ownerId: r.owner_id, visibility: r.visibility, collaborators },
});
const toVersion = (r: VersionRow): DatasetVersion => ({
  datasetId: r.dataset_id, version: r.version, message: r.message, files: JSON.parse(r.files) as FileEntry[], size: r.size, createdAt: r.created_at,
});

export const blobKey = (sha: string): string => `datasets/blobs/${sha.slice(0, 2)}/${sha}`;

/** Datasets: names over immutable versions; a version's id is the sha256 of its canonical manifest. */
export class DatasetsStore {
  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly objects: ObjectStore,
    private readonly maxUploadBytes: number,
  ) {}

  get(id: string): Dataset {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    if (!row) throw notFound(`dataset ${id}`);
    return toDataset(row, this.collaborators(id));
  }

  private collaborators(id: string): string[] {
    return (this.db.prepare("SELECT user_id FROM collaborators WHERE kind = 'dataset' AND object_id = ? ORDER BY user_id").all(id) as Array<{ user_id: string }>).map((r) => r.user_id);
  }

  /** A page of the datasets `scope` lets the caller read (AccessPolicy.readableScope with alias "x"). */
  list(limit: number, after: number, scope: SqlScope): { items: Dataset[]; next?: string } {
    // Copies of runs' results made for pipelines are reached through their runs, not listed.
    const rows = this.db.prepare(`SELECT * FROM datasets x WHERE n > ? AND origin_run IS NULL AND ${scope.sql} ORDER BY n LIMIT ?`).all(after, ...scope.args, limit + 1) as DatasetRow[];
    const items = rows.slice(0, limit);
    return { items: items.map((r) => toDataset(r, this.collaborators(r.id))), ...(rows.length > limit ? { next: String(items.at(-1)!.n) } : {}) };
  }

  async create(name: string, description: string, visibility: Visibility, user: User): Promise<Dataset> {
    const id = newId('dst');
    await this.writes.run(() => {
      this.db.prepare('INSERT INTO datasets (id, name, description, created_at, owner_id, visibility) VALUES (?, ?, ?, ?, ?, ?)').run(id, name, description, nowIso(), user.id, visibility);
      recordAudit(this.db, { actor: user, action: 'dataset.create', targetKind: 'dataset', targetId: id, summary: `created dataset "${name}" (${visibility})` });
    });
    return this.get(id);
  }

  /** Stores one file's bytes under their hash (content-addressed: the same bytes are kept once). */
  async putBlob(datasetId: string, digest: string, body: Readable): Promise<{ sha256: string; size: number }> {
    this.get(datasetId);
    const stored = await this.objects.put(blobKey(digest), body, { sha256: digest, maxBytes: this.maxUploadBytes });
    await this.writes.run(() =>
      this.db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)').run(digest, stored.size, nowIso()),
    );
    return stored;
  }

  /** How the client should send one file: nothing to send, through this agent, or straight to storage. */
  async startUpload(datasetId: string, sha: string, size: number): Promise<StartUploadResponse> {
    this.get(datasetId);
    if (size > this.maxUploadBytes) throw new HttpError('bad-input', `body.size: ${size} bytes is more than this platform takes in one file (${this.maxUploadBytes})`, 413);
    const known = this.db.prepare('SELECT size FROM blobs WHERE sha256 = ?').get(sha) as { size: number } | undefined;
    if (known) {
      if (known.size !== size) throw badInput(`body.size: the platform holds sha256 ${sha} with ${known.size} bytes, not ${size}`);
      return { mode: 'exists', sha256: sha, size };
    }
    const direct = this.objects.directUploads;
    if (!direct || size === 0) return { mode: 'direct' };
    return { mode: 'presigned', ...(await direct.begin(blobKey(sha), size)) };
  }

  /** Completes a pre-signed upload, checks what arrived, and keeps the blob. */
  async completeUpload(datasetId: string, body: CompleteUploadRequest): Promise<{ sha256: string; size: number }> {
    this.get(datasetId);
    const direct = this.objects.directUploads;
    if (!direct) throw badInput('this platform takes uploads through itself: PUT the bytes to the blob route (POST .../uploads answered "direct")');
    // Completing writes the blob's key before its bytes are checked, and a mismatch deletes that
    // key: over a blob already kept (another upload of the same file finished first) it would
    // destroy good bytes that versions use. The kept blob stands; this upload's parts are dropped.
    const known = this.db.prepare('SELECT size FROM blobs WHERE sha256 = ?').get(body.sha256) as { size: number } | undefined;
    if (known) {
      await direct.abort(blobKey(body.sha256), body.uploadId).catch(() => undefined);
      if (known.size !== body.size) throw badInput(`body.size: the platform holds sha256 ${body.sha256} with ${known.size} bytes, not ${body.size}`);
      return { sha256: body.sha256, size: body.size };
    }
    await direct.complete(blobKey(body.sha256), body.uploadId, body.parts, { size: body.size, sha256: body.sha256 });
    await this.writes.run(() => this.db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)').run(body.sha256, body.size, nowIso()));
    return { sha256: body.sha256, size: body.size };
  }

  async createVersion(datasetId: string, files: FileEntry[], message: string, user: User): Promise<{ version: DatasetVersion; created: boolean }> {
    this.get(datasetId);
    const paths = new Set<string>();
    files.forEach((f, i) => {
      if (paths.has(f.path)) throw badInput(`body.files.${i}.path: "${f.path}" appears twice`);
      paths.add(f.path);
      const blob = this.db.prepare('SELECT size FROM blobs WHERE sha256 = ?').get(f.sha256) as { size: number } | undefined;
      if (!blob) throw badInput(`body.files.${i}: no blob ${f.sha256} was uploaded; PUT its bytes to /api/v1/datasets/${datasetId}/blobs/${f.sha256} first`);
      if (blob.size !== f.size) throw badInput(`body.files.${i}.size: blob ${f.sha256} has ${blob.size} bytes, not ${f.size}`);
    });
    // A file and a folder of the same name cannot both be mounted under /data.
    for (const p of paths) {
      const parts = p.split('/');
      for (let k = 1; k < parts.length; k++) {
        const prefix = parts.slice(0, k).join('/');
        if (paths.has(prefix)) throw badInput(`body.files: "${prefix}" is both a file and a folder`);
      }
    }
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const version = sha256(canonicalManifest(sorted));
    const size = sorted.reduce((s, f) => s + f.size, 0);
    const created = await this.writes.run(() => {
      const inserted = this.db
        .prepare('INSERT OR IGNORE INTO dataset_versions (dataset_id, version, message, files, size, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(datasetId, version, message, JSON.stringify(sorted), size, nowIso());
      this.db.prepare('UPDATE datasets SET latest_version = ? WHERE id = ?').run(version, datasetId);
      if (inserted.changes > 0) {
        recordAudit(this.db, { actor: user, action: 'dataset.version', targetKind: 'dataset', targetId: datasetId, summary: `sealed version ${version.slice(0, 12)}: ${sorted.length} files, ${size} bytes`, detail: { version } });
      }
      return inserted.changes > 0;
    });
    return { version: this.getVersion(datasetId, version), created };
  }

  getVersion(datasetId: string, version: string): DatasetVersion {
    const row = this.db.prepare('SELECT * FROM dataset_versions WHERE dataset_id = ? AND version = ?').get(datasetId, version) as VersionRow | undefined;
    if (!row) throw notFound(`version ${version} of dataset ${datasetId}`);
    return toVersion(row);
  }

  listVersions(datasetId: string, limit: number, before: number): { items: Omit<DatasetVersion, 'files'>[]; next?: string } {
    this.get(datasetId);
    const rows = this.db
      .prepare('SELECT n, dataset_id, version, message, size, created_at, \'[]\' AS files FROM dataset_versions WHERE dataset_id = ? AND n < ? ORDER BY n DESC LIMIT ?')
      .all(datasetId, before, limit + 1) as VersionRow[];
    const items = rows.slice(0, limit);
    return {
      items: items.map((r) => {
        const { files: _files, ...rest } = toVersion(r);
        return rest;
      }),
      ...(rows.length > limit ? { next: String(items.at(-1)!.n) } : {}),
    };
  }

  /** One file of a version, streamed from storage. */
  async openFile(datasetId: string, version: string, path: string): Promise<{ entry: FileEntry; body: Readable }> {
    const v = this.getVersion(datasetId, version);
    const entry = v.files.find((f) => f.path === path);
    if (!entry) throw notFound(`file ${path} in version ${version} of dataset ${datasetId}`);
    const body = await this.objects.get(blobKey(entry.sha256));
    if (!body) throw notFound(`the bytes of ${path} (blob ${entry.sha256})`);
    return { entry, body };
  }
}

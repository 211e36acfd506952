import type { Readable } from 'node:stream';
import { canonicalManifest, type CompleteUploadRequest, type Dataset, type DatasetVersion, type FileEntry, type StartUploadResponse } from '../../common/protocol/datasets.js';
import type { Db, WriteQueue } from './db.js';
import type { DirectUploads } from './direct-uploads.js';
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
/** Where a pre-signed upload into a dataset lands: a key of its own, so completing it (which writes before the bytes are checked) never touches bytes others use. */
export const uploadKey = (datasetId: string, sha: string): string => `datasets/uploads/${datasetId}/${sha}`;

/**
 * Datasets: names over immutable versions; a version's id is the sha256 of its canonical manifest.
 *
 * Files are kept once by their sha256, but knowing a file's hash and size is not a right to it: a
 * dataset may use a stored blob without its bytes being sent only when it holds the blob already
 * (`dataset_blobs`: sent to it, or listed in one of its versions) or when the caller can read a
 * dataset with a version that lists it. Anyone else sends the bytes, and the answers they get do
 * not depend on whether the platform had them: the same 'direct' or 'presigned' (to the dataset's
 * own key), and no size named. Their bytes, once checked, are stored once: through the agent they
 * land on the blob's key (checked before written, so the same bytes again); a pre-signed upload is
 * checked at its dataset's key and dropped when the blob was already kept elsewhere.
 */
export class DatasetsStore {
  /** Completions in progress per dataset and blob: a second one waits, then finds the blob held, so it cannot overwrite good bytes with unchecked ones. */
  private readonly completing = new Map<string, Promise<unknown>>();

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

  /**
   * The stored blob's size when the dataset may use it without its bytes being sent: it holds
   * the blob, or `readable` (the caller's datasets) includes one with a version that lists it.
   * Undefined otherwise, stored or not: the caller learns nothing of other people's files.
   */
  private reusable(datasetId: string, sha: string, readable?: SqlScope): { size: number; held: boolean } | undefined {
    const blob = this.db.prepare('SELECT size FROM blobs WHERE sha256 = ?').get(sha) as { size: number } | undefined;
    if (!blob) return undefined;
    if (this.db.prepare('SELECT 1 FROM dataset_blobs WHERE sha256 = ? AND dataset_id = ?').get(sha, datasetId)) return { size: blob.size, held: true };
    if (!readable) return undefined;
    const shared = this.db.prepare(`SELECT 1 FROM dataset_blobs b JOIN datasets x ON x.id = b.dataset_id WHERE b.sha256 = ? AND b.sealed = 1 AND ${readable.sql} LIMIT 1`).get(sha, ...readable.args);
    return shared ? { size: blob.size, held: false } : undefined;
  }

  private hold(datasetId: string, sha: string): void {
    this.db.prepare('INSERT OR IGNORE INTO dataset_blobs (sha256, dataset_id) VALUES (?, ?)').run(sha, datasetId);
  }

  /** Whether the platform keeps these bytes at all; only for callers who proved they have them (a run's results they read). */
  isStored(sha: string): boolean {
    return this.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').get(sha) !== undefined;
  }

  /** Lets the dataset use a stored blob whose bytes the caller showed they have otherwise (pipelines: the results of a run they can read). */
  async attachBlob(datasetId: string, sha: string): Promise<void> {
    await this.writes.run(() => this.hold(datasetId, sha));
  }

  /** Stores one file's bytes under their hash (content-addressed: checked before written, so the same bytes are kept once). */
  async putBlob(datasetId: string, digest: string, body: Readable): Promise<{ sha256: string; size: number }> {
    this.get(datasetId);
    const stored = await this.objects.put(blobKey(digest), body, { sha256: digest, maxBytes: this.maxUploadBytes });
    await this.writes.run(() => {
      // The bytes are now at the blob's own key too, wherever an upload put them first.
      this.db.prepare('INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET key = NULL').run(digest, stored.size, nowIso());
      this.hold(datasetId, digest);
    });
    return stored;
  }

  /** How the client should send one file: nothing to send (the dataset may use the stored blob), through this agent, or straight to storage. */
  async startUpload(datasetId: string, sha: string, size: number, readable?: SqlScope): Promise<StartUploadResponse> {
    this.get(datasetId);
    if (size > this.maxUploadBytes) throw new HttpError('bad-input', `body.size: ${size} bytes is more than this platform takes in one file (${this.maxUploadBytes})`, 413);
    const known = this.reusable(datasetId, sha, readable);
    if (known) {
      if (known.size !== size) throw badInput(`body.size: the platform holds sha256 ${sha} with ${known.size} bytes, not ${size}`);
      if (!known.held) await this.writes.run(() => this.hold(datasetId, sha));
      return { mode: 'exists', sha256: sha, size };
    }
    const direct = this.objects.directUploads;
    if (!direct || size === 0) return { mode: 'direct' };
    return { mode: 'presigned', ...(await direct.begin(uploadKey(datasetId, sha), size)) };
  }

  /** Completes a pre-signed upload, checks what arrived, and keeps the blob (once). */
  async completeUpload(datasetId: string, body: CompleteUploadRequest, readable?: SqlScope): Promise<{ sha256: string; size: number }> {
    this.get(datasetId);
    const direct = this.objects.directUploads;
    if (!direct) throw badInput('this platform takes uploads through itself: PUT the bytes to the blob route (POST .../uploads answered "direct")');
    const lock = `${datasetId}/${body.sha256}`;
    const previous = this.completing.get(lock) ?? Promise.resolve();
    const done = previous.catch(() => undefined).then(() => this.completeOne(direct, datasetId, body, readable));
    this.completing.set(lock, done);
    try {
      return await done;
    } finally {
      if (this.completing.get(lock) === done) this.completing.delete(lock);
    }
  }

  private async completeOne(direct: DirectUploads, datasetId: string, body: CompleteUploadRequest, readable?: SqlScope): Promise<{ sha256: string; size: number }> {
    const key = uploadKey(datasetId, body.sha256);
    // Completing writes the key before its bytes are checked, and a mismatch deletes it: over the
    // bytes of a blob the dataset holds (another upload of the same file finished first) it would
    // destroy good bytes that versions use. The kept blob stands; this upload's parts are dropped.
    const known = this.reusable(datasetId, body.sha256, readable);
    if (known) {
      await direct.abort(key, body.uploadId).catch(() => undefined);
      // An upload started before uploads had keys of their own went to the blob's key.
      await direct.abort(blobKey(body.sha256), body.uploadId).catch(() => undefined);
      if (known.size !== body.size) throw badInput(`body.size: the platform holds sha256 ${body.sha256} with ${known.size} bytes, not ${body.size}`);
      if (!known.held) await this.writes.run(() => this.hold(datasetId, body.sha256));
      return { sha256: body.sha256, size: body.size };
    }
    await direct.complete(key, body.uploadId, body.parts, { size: body.size, sha256: body.sha256 });
    const kept = await this.writes.run(() => {
      const inserted = this.db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, created_at, key) VALUES (?, ?, ?, ?)').run(body.sha256, body.size, nowIso(), key);
      this.hold(datasetId, body.sha256);
      return inserted.changes > 0;
    });
    // Checked to be the same bytes as the blob already kept elsewhere: one copy is enough.
    if (!kept) await this.objects.delete(key).catch(() => undefined);
    return { sha256: body.sha256, size: body.size };
  }

  async createVersion(datasetId: string, files: FileEntry[], message: string, user: User, readable?: SqlScope): Promise<{ version: DatasetVersion; created: boolean }> {
    this.get(datasetId);
    const paths = new Set<string>();
    files.forEach((f, i) => {
      if (paths.has(f.path)) throw badInput(`body.files.${i}.path: "${f.path}" appears twice`);
      paths.add(f.path);
      const blob = this.reusable(datasetId, f.sha256, readable);
      if (!blob) throw badInput(`body.files.${i}: no blob ${f.sha256} was uploaded to this dataset; PUT its bytes to /api/v1/datasets/${datasetId}/blobs/${f.sha256} first`);
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
      const seal = this.db.prepare('INSERT INTO dataset_blobs (sha256, dataset_id, sealed) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET sealed = 1');
      for (const f of sorted) seal.run(f.sha256, datasetId);
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
    const at = this.db.prepare('SELECT key FROM blobs WHERE sha256 = ?').get(entry.sha256) as { key: string | null } | undefined;
    const body = await this.objects.get(at?.key ?? blobKey(entry.sha256));
    if (!body) throw notFound(`the bytes of ${path} (blob ${entry.sha256})`);
    return { entry, body };
  }
}

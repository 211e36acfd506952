import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetsStore, uploadKey } from './datasets-store.js';
import { openDatabase, WriteQueue, type Db } from './db.js';
import type { DirectUploads } from './direct-uploads.js';
import { migrations } from './migrations.js';
import type { ObjectStore } from './object-store.js';

let dir: string;
let db: Db | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchtop-datasets-'));
});
afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describe('which dataset holds which blob', () => {
  it('is filled from the versions of an older database, so their files stay theirs to reuse', () => {
    const file = join(dir, 'db.sqlite');
    const old = new Database(file);
    const at = migrations.findIndex((m) => m.includes('CREATE TABLE dataset_blobs'));
    for (const m of migrations.slice(0, at)) old.exec(m);
    old.pragma(`user_version = ${at}`);
    old.prepare("INSERT INTO datasets (id, name, description, created_at, owner_id, visibility) VALUES ('dst_1', 'd', '', 't', 'u', 'private')").run();
    old.prepare('INSERT INTO blobs (sha256, size, created_at) VALUES (?, 3, ?), (?, 4, ?)').run(SHA, 't', OTHER, 't');
    const files = (shas: string[]) => JSON.stringify(shas.map((sha256, i) => ({ path: `f${i}`, size: 3, sha256 })));
    old.prepare("INSERT INTO dataset_versions (dataset_id, version, message, files, size, created_at) VALUES ('dst_1', 'v1', '', ?, 3, 't'), ('dst_1', 'v2', '', ?, 6, 't')").run(files([SHA]), files([SHA, OTHER]));
    old.close();

    db = openDatabase(file);
    expect(db.prepare('SELECT sha256, dataset_id, sealed FROM dataset_blobs ORDER BY sha256').all()).toEqual([
      { sha256: SHA, dataset_id: 'dst_1', sealed: 1 },
      { sha256: OTHER, dataset_id: 'dst_1', sealed: 1 },
    ]);
  });

  it('lets one completion of a file into a dataset run at a time: the second finds the blob held and never writes over it', async () => {
    db = openDatabase(join(dir, 'db.sqlite'));
    db.prepare("INSERT INTO datasets (id, name, description, created_at, owner_id, visibility) VALUES ('dst_1', 'd', '', 't', 'u', 'private')").run();
    const completed: string[] = [];
    const aborted: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const direct: DirectUploads = {
      begin: () => Promise.reject(new Error('not used')),
      complete: async (_key, uploadId) => {
        completed.push(uploadId);
        await gate;
      },
      abort: async (_key, uploadId) => {
        aborted.push(uploadId);
      },
    };
    const objects: ObjectStore = { put: () => Promise.reject(new Error('not used')), get: async () => Readable.from([]), delete: async () => undefined, directUploads: direct };
    const store = new DatasetsStore(db, new WriteQueue(db), objects, 1024);
    const body = (uploadId: string) => ({ uploadId, sha256: SHA, size: 3, parts: [{ partNumber: 1, etag: '"e"' }] });
    const first = store.completeUpload('dst_1', body('first'));
    const second = store.completeUpload('dst_1', body('second'));
    // Let everything that can run without the gate run.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(completed).toEqual(['first']);
    release();
    expect(await Promise.all([first, second])).toEqual([{ sha256: SHA, size: 3 }, { sha256: SHA, size: 3 }]);
    expect(completed).toEqual(['first']);
    expect(aborted).toEqual(['second', 'second']);
    expect(db.prepare('SELECT key FROM blobs WHERE sha256 = ?').get(SHA)).toEqual({ key: uploadKey('dst_1', SHA) });
  });
});

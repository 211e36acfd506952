import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './db.js';
import { migrations } from './migrations.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the network and isolation columns of runs', () => {
  it('record the network that runs of an older database had, finished runs included, and keep them immutable', () => {
    dir = mkdtempSync(join(tmpdir(), 'benchtop-migration-'));
    const file = join(dir, 'db.sqlite');
    const old = new Database(file);
    old.exec(migrations[0]!);
    old.pragma('user_version = 1');
    const insert = old.prepare(
      `INSERT INTO runs (id, user_id, capsule_id, commit_sha, environment, environment_hash, datasets, command, parameters, resources, queue, state, max_attempts, created_at)
       VALUES (?, 'u', 'c', 'x', '{}', 'h', '[]', '[]', ?, '{}', 'cpu', ?, 3, 't')`,
    );
    insert.run('run_online', '{}', 'succeeded');
    insert.run('run_offline', '{"network":false}', 'failed');
    insert.run('run_offline_text', '{"network":"false"}', 'queued');
    old.close();

    const db = openDatabase(file);
    const rows = db.prepare('SELECT id, network, isolation FROM runs ORDER BY n').all();
    expect(rows).toEqual([
      { id: 'run_online', network: 1, isolation: null },
      { id: 'run_offline', network: 0, isolation: null },
      { id: 'run_offline_text', network: 0, isolation: null },
    ]);
    expect(() => db.prepare("UPDATE runs SET network = 0 WHERE id = 'run_online'").run()).toThrow(/a finished run is immutable/);
    db.close();
  });
});

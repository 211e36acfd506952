import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, WriteQueue, type Db } from './db.js';

describe('WriteQueue', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'benchtop-db-'));
    db = openDatabase(join(dir, 'db.sqlite'));
    db.exec('CREATE TABLE t (v TEXT NOT NULL)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const values = () => (db.prepare('SELECT v FROM t ORDER BY rowid').all() as Array<{ v: string }>).map((r) => r.v);
  const failingWrite = (tag: string) => () => {
    db.prepare('INSERT INTO t (v) VALUES (?)').run(tag);
    throw new Error(`${tag} failed`);
  };

  it('undoes what a write alone in its batch did before it threw', async () => {
    const writes = new WriteQueue(db);
    await expect(writes.run(failingWrite('lone'))).rejects.toThrow('lone failed');
    expect(values()).toEqual([]);
  });

  it('undoes only the failing write of a batch and keeps the others', async () => {
    const writes = new WriteQueue(db);
    const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
    const outcomes = await Promise.allSettled([writes.run(insert('a')), writes.run(failingWrite('b')), writes.run(insert('c'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(values()).toEqual(['a', 'c']);
  });

  it('keeps a write that uses a transaction of its own', async () => {
    const writes = new WriteQueue(db);
    await writes.run(() => db.transaction(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('nested'))());
    expect(values()).toEqual(['nested']);
  });
});

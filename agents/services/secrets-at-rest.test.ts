import { createHash, randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { migrations } from './migrations.js';
import { fileSecretsKey } from './secrets-key.js';
import { startServices } from './start-services.js';
import { exampleCapsule, startHarness } from './testing/harness.js';
import { spawnServices, type ServicesProcess } from './testing/spawn-services.js';

// The services agent as a process: what it keeps on disk (database, WAL, backups) never holds a
// secret parameter's value, while the worker still receives it in its lease.

const secret = () => `sekret-${randomBytes(12).toString('hex')}`;

/** Every file under `dir` whose bytes contain `text`, by path relative to `dir`. */
async function filesHolding(dir: string, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(Buffer.from(text, 'utf8'))) out.push(path.slice(dir.length + 1));
  }
  return out;
}

/**
 * Replaces the database `file` by one made with the migrations before sealing only, holding the
 * same records (each table's columns of that schema), then lets `change` edit it.
 */
function rewindToBeforeSealing(file: string, change: (db: Database.Database) => void): void {
  const before = migrations.findIndex((m) => m.includes('secrets_sealed'));
  expect(before).toBeGreaterThan(0);
  const oldFile = `${file}.old`;
  const old = new Database(oldFile);
  for (const migration of migrations.slice(0, before)) old.exec(migration);
  old.pragma(`user_version = ${before}`);
  old.prepare('ATTACH DATABASE ? AS current').run(file);
  const tables = old.prepare("SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const columns = (old.pragma(`main.table_info(${name})`) as Array<{ name: string }>).map((c) => c.name).join(', ');
    old.exec(`DELETE FROM main.${name}; INSERT INTO main.${name} (${columns}) SELECT ${columns} FROM current.${name};`);
  }
  old.exec('DETACH DATABASE current');
  change(old);
  old.close();
  renameSync(oldFile, file);
}

interface Clients { researcher: PlatformClient; admin: PlatformClient; worker: PlatformClient }
const clientsOf = (p: ServicesProcess): Clients => ({
  researcher: createPlatformClient({ url: p.url, token: p.researcherToken }),
  admin: createPlatformClient({ url: p.url, token: p.adminToken }),
  worker: createPlatformClient({ url: p.url, token: p.workerToken }),
});

async function leaseAndFinish(worker: PlatformClient): Promise<{ runId: string; parameters: Record<string, unknown> }> {
  const lease = await worker.lease({ queue: 'cpu', workerId: 'w1', waitMs: 5000 });
  expect(lease).not.toBeNull();
  await worker.complete(lease!.leaseId, { fencingToken: lease!.fencingToken, state: 'succeeded', exitCode: 0 });
  return { runId: lease!.runId, parameters: lease!.run.parameters };
}

describe('secret parameters at rest', () => {
  const dirs: string[] = [];
  const processes: ServicesProcess[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'benchtop-secrets-'));
    dirs.push(dir);
    return dir;
  };
  const spawn = async (dir: string) => {
    const p = await spawnServices(dir);
    processes.push(p);
    return p;
  };
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir();
  });
  afterAll(async () => {
    for (const p of processes) await p.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const API_KEY = secret();
  const PASSWORD = secret();
  let backupName: string;
  let waitingRunId: string;

  it('keeps the database, its WAL and a backup free of secret values; the worker and a re-run still get them', async () => {
    const p = await spawn(dataDir);
    const { researcher, admin, worker } = clientsOf(p);
    const capsule = await researcher.createCapsule(exampleCapsule);
    const run = await researcher.createRun({ capsuleId: capsule.id, parameters: { n: 1 }, secrets: { API_KEY, RETRIES: 3 } });
    const backup = await admin.createBackup();
    backupName = backup.name;
    const first = await leaseAndFinish(worker);
    expect(first).toEqual({ runId: run.id, parameters: { n: 1, API_KEY, RETRIES: 3 } });
    const again = await researcher.rerun(run.id);
    const second = await leaseAndFinish(worker);
    expect(second).toEqual({ runId: again.id, parameters: { n: 1, API_KEY, RETRIES: 3 } });
    await researcher.createRun({ capsuleId: capsule.id, secrets: { PASSWORD } });

    // Looked at while the agent runs (the WAL holds the latest pages) and after it stopped.
    expect(await filesHolding(dataDir, API_KEY)).toEqual([]);
    expect(await filesHolding(dataDir, PASSWORD)).toEqual([]);
    await p.stop();
    const names = await readdir(dataDir);
    expect(names).toContain('secrets.key');
    expect(await readdir(join(dataDir, 'backups'))).toEqual([backup.name]);
    expect((await stat(join(dataDir, 'secrets.key'))).mode & 0o777).toBe(0o600);
    expect(await filesHolding(dataDir, API_KEY)).toEqual([]);
    expect(await filesHolding(dataDir, PASSWORD)).toEqual([]);
    // The ciphertexts are there, bound to their runs.
    const db = new Database(join(dataDir, 'benchtop.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT id, secrets, secrets_sealed FROM runs ORDER BY n').all() as Array<{ id: string; secrets: string; secrets_sealed: number }>;
    db.close();
    expect(rows.map((r) => r.secrets_sealed)).toEqual([1, 1, 1]);
    expect(Object.keys(JSON.parse(rows[0]!.secrets) as object)).toEqual(['API_KEY', 'RETRIES']);
    expect(rows[0]!.secrets).not.toBe(rows[1]!.secrets);
  }, 120_000);

  it('a restore on the same deployment decrypts with the same key', async () => {
    const p = await spawn(dataDir);
    const { admin, worker } = clientsOf(p);
    // The backup was taken while only the first run existed, queued.
    await admin.restoreBackup(backupName);
    const lease = await leaseAndFinish(worker);
    expect(lease.parameters).toEqual({ n: 1, API_KEY, RETRIES: 3 });
    // Left queued for the next case, which starts without this key.
    const { researcher } = clientsOf(p);
    const capsule = (await researcher.listCapsules()).items[0]!;
    waitingRunId = (await researcher.createRun({ capsuleId: capsule.id, secrets: { PASSWORD } })).id;
    await p.stop();
  }, 120_000);

  it('without its key, a run that needs a secret fails naming the key file; the agent goes on serving', async () => {
    await rm(join(dataDir, 'secrets.key'));
    const p = await spawn(dataDir);
    const { researcher: r, worker } = clientsOf(p);
    const capsule = (await r.listCapsules()).items[0]!;
    const waiting = { id: waitingRunId };
    const plain = await r.createRun({ capsuleId: capsule.id, parameters: { n: 2 } });
    // The run with a secret is passed over (failed), the next one is leased.
    const lease = await leaseAndFinish(worker);
    expect(lease).toEqual({ runId: plain.id, parameters: { n: 2 } });
    const failed = await r.getRun(waiting.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain(`not started: secret parameter "PASSWORD" of run ${waiting.id} was sealed with secrets key`);
    expect(failed.error).toContain(`but the key file ${join(dataDir, 'secrets.key')} holds key`);
    expect(failed.error).not.toContain(PASSWORD);
    await expect(r.rerun(waiting.id)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(`run ${waiting.id} cannot be re-run with its secret parameters`) });
    // New secrets are sealed with the new key and reach the worker.
    const fresh = secret();
    const next = await r.createRun({ capsuleId: capsule.id, secrets: { PASSWORD: fresh } });
    expect(await leaseAndFinish(worker)).toEqual({ runId: next.id, parameters: { PASSWORD: fresh } });
    expect((await r.health()).status).toBe('ok');
    await p.stop();
  }, 120_000);

  it('encrypts the plain-text secrets of a database from before sealing on first start, in place', async () => {
    const dir = await tempDir();
    const running = await startServices({ dataDir: dir, backup: false });
    const client = createPlatformClient({ url: running.url, token: running.researcherToken });
    const capsule = await client.createCapsule(exampleCapsule);
    const runs = [
      await client.createRun({ capsuleId: capsule.id, secrets: { TOKEN: 'placeholder' } }),
      await client.createRun({ capsuleId: capsule.id, parameters: { n: 3 } }),
    ];
    await running.close();
    // Back to the schema before sealing, with the value in plain text as older agents stored it.
    const TOKEN = secret();
    rewindToBeforeSealing(join(dir, 'benchtop.sqlite'), (db) => db.prepare('UPDATE runs SET secrets = ? WHERE id = ?').run(JSON.stringify({ TOKEN }), runs[0]!.id));
    await rm(join(dir, 'secrets.key'));
    expect(await filesHolding(dir, TOKEN)).toEqual(['benchtop.sqlite']);

    const p = await spawn(dir);
    expect(await filesHolding(dir, TOKEN)).toEqual([]);
    const { worker } = clientsOf(p);
    expect(await leaseAndFinish(worker)).toEqual({ runId: runs[0]!.id, parameters: { TOKEN } });
    expect(await leaseAndFinish(worker)).toEqual({ runId: runs[1]!.id, parameters: { n: 3 } });
    await p.stop();
    expect(await filesHolding(dir, TOKEN)).toEqual([]);
    const db = new Database(join(dir, 'benchtop.sqlite'), { readonly: true });
    expect(db.prepare('SELECT secrets_sealed AS s FROM runs ORDER BY n').all()).toEqual([{ s: 1 }, { s: 0 }]);
    db.close();
  }, 120_000);
});

describe('secret parameters at rest, in the agent in this process', () => {
  it('recognises a repeated request with secrets by a keyed digest: same secret replays, another is a 409', async () => {
    const h = await startHarness();
    try {
      const capsule = await h.researcher.createCapsule(exampleCapsule);
      const body = { capsuleId: capsule.id, secrets: { API_KEY: 'short' } };
      const first = await h.researcher.createRun(body, { idempotencyKey: 'k1' });
      expect((await h.researcher.createRun(body, { idempotencyKey: 'k1' })).id).toBe(first.id);
      await expect(h.researcher.createRun({ ...body, secrets: { API_KEY: 'other' } }, { idempotencyKey: 'k1' })).rejects.toMatchObject({ status: 409 });
      const kept = h.running.services.db.prepare('SELECT request_hash FROM idempotency').all() as Array<{ request_hash: string }>;
      expect(kept).toHaveLength(1);
      expect(kept[0]!.request_hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await h.close();
    }
  });

  it('without a usable key: runs with secrets are refused with 503 naming the key and the reason, others are accepted', async () => {
    const h = await startHarness({ secretsKey: { place: 'the SSM parameter /benchtop/lab/secrets-key', load: () => Promise.reject(new Error('AccessDeniedException: not allowed')) } });
    try {
      const capsule = await h.researcher.createCapsule(exampleCapsule);
      await expect(h.researcher.createRun({ capsuleId: capsule.id, secrets: { A: 'x' } })).rejects.toMatchObject({ status: 503, message: expect.stringContaining('(the SSM parameter /benchtop/lab/secrets-key) is not usable: AccessDeniedException: not allowed; runs without secret parameters still work') });
      await expect(h.researcher.createRun({ capsuleId: capsule.id, secrets: { A: 'x' } }, { idempotencyKey: 'k' })).rejects.toMatchObject({ status: 503 });
      expect((await h.researcher.listRuns()).items).toHaveLength(0);
      const plain = await h.researcher.createRun({ capsuleId: capsule.id, parameters: { n: 1 } });
      expect((await h.worker.lease({ queue: 'cpu', workerId: 'w' }))!.runId).toBe(plain.id);
    } finally {
      await h.close();
    }
  });

  it('seals again what a restore of a backup from before sealing brings back in plain text', async () => {
    const h = await startHarness();
    try {
      const capsule = await h.researcher.createCapsule(exampleCapsule);
      const run = await h.researcher.createRun({ capsuleId: capsule.id, secrets: { TOKEN: 'placeholder' } });
      const backup = await h.admin.createBackup();
      const TOKEN = secret();
      // The backup as an older agent would have taken it.
      rewindToBeforeSealing(join(h.dataDir, 'backups', backup.name), (db) => db.prepare('UPDATE runs SET secrets = ? WHERE id = ?').run(JSON.stringify({ TOKEN }), run.id));
      await h.admin.restoreBackup(backup.name);
      const live = await filesHolding(h.dataDir, TOKEN);
      expect(live).toEqual([join('backups', backup.name)]);
      const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
      expect(lease!.run.parameters).toEqual({ TOKEN });
    } finally {
      await h.close();
    }
  });
});

describe('sealing a database an older agent used', () => {
  /**
   * A database holding one run with `TOKEN` in plain text (then `plainRunsAfter` runs without
   * secrets), made by an older agent; `change` edits that run there.
   */
  async function olderAgentsDatabase(TOKEN: string, change: (db: Database.Database, runId: string) => void, plainRunsAfter = 0): Promise<{ dir: string; runId: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'benchtop-secrets-'));
    const first = await startServices({ dataDir: dir, backup: false });
    const client = createPlatformClient({ url: first.url, token: first.researcherToken });
    const capsule = await client.createCapsule(exampleCapsule);
    const run = await client.createRun({ capsuleId: capsule.id, secrets: { TOKEN: 'placeholder' } });
    for (let i = 0; i < plainRunsAfter; i += 1) await client.createRun({ capsuleId: capsule.id, parameters: { i } });
    await first.close();
    rewindToBeforeSealing(join(dir, 'benchtop.sqlite'), (db) => {
      db.prepare('UPDATE runs SET secrets = ? WHERE id = ?').run(JSON.stringify({ TOKEN }), run.id);
      change(db, run.id);
    });
    return { dir, runId: run.id };
  }

  it('seals the secrets of finished runs too (immutable records), and a re-run of one still gets them', async () => {
    const TOKEN = secret();
    const { dir, runId } = await olderAgentsDatabase(TOKEN, (db, id) => {
      db.prepare("UPDATE runs SET state = 'succeeded', exit_code = 0, finished_at = ? WHERE id = ?").run(new Date().toISOString(), id);
    });
    const h = await startHarness({ dataDir: dir });
    try {
      expect(await filesHolding(dir, TOKEN)).toEqual([]);
      const row = h.running.services.db.prepare('SELECT state, secrets_sealed AS s FROM runs WHERE id = ?').get(runId);
      expect(row).toEqual({ state: 'succeeded', s: 1 });
      const again = await h.researcher.rerun(runId);
      expect(await h.worker.lease({ queue: 'cpu', workerId: 'w' })).toMatchObject({ runId: again.id, run: { parameters: { TOKEN } } });
      // Still a record the database refuses to change.
      expect(() => h.running.services.db.prepare("UPDATE runs SET error = 'x' WHERE id = ?").run(runId)).toThrow('a finished run is immutable');
    } finally {
      await h.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('forgets the plain hash an older agent kept of the request for its Idempotency-Key', async () => {
    const TOKEN = secret();
    // What such an agent kept: sha256 of the whole request, the secret's value in it.
    const oldHash = createHash('sha256').update(JSON.stringify({ secrets: { TOKEN } })).digest('hex');
    const { dir, runId } = await olderAgentsDatabase(TOKEN, (db, id) => {
      db.prepare("INSERT INTO idempotency (user_id, key, request_hash, run_id, created_at) SELECT user_id, 'k1', ?, id, ? FROM runs WHERE id = ?").run(oldHash, new Date().toISOString(), id);
    });
    const h = await startHarness({ dataDir: dir });
    try {
      expect(await filesHolding(dir, oldHash)).toEqual([]);
      const capsuleId = (await h.researcher.getRun(runId)).capsuleId;
      await expect(h.researcher.createRun({ capsuleId, secrets: { TOKEN } }, { idempotencyKey: 'k1' })).rejects.toMatchObject({ status: 409 });
    } finally {
      await h.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves no copy of the old text in the free space the older agent\'s updates left behind', async () => {
    const TOKEN = secret();
    const { dir } = await olderAgentsDatabase(TOKEN, (db, id) => {
      // The run's life under the older agent: each update rewrites the row at another size, and
      // without secure_delete the old row's bytes stay in the page's free space (the later runs
      // in the same page keep it from being merged back and overwritten).
      db.prepare("UPDATE runs SET state = 'leased', worker_id = 'a-worker-with-a-rather-long-name' WHERE id = ?").run(id);
      db.prepare("UPDATE runs SET state = 'running', worker_id = 'w' WHERE id = ?").run(id);
      db.prepare("UPDATE runs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?").run('x'.repeat(300), new Date().toISOString(), id);
    }, 2);
    try {
      expect(await filesHolding(dir, TOKEN)).toEqual(['benchtop.sqlite']);
      const running = await startServices({ dataDir: dir, backup: false });
      try {
        expect(await filesHolding(dir, TOKEN)).toEqual([]);
      } finally {
        await running.close();
      }
      expect(await filesHolding(dir, TOKEN)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a secrets key that cannot be had for a while', () => {
  it('keeps runs that need it queued (never failed, never leased), and leases them once the key can be read again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'benchtop-secrets-'));
    const first = await startServices({ dataDir, backup: false });
    const client = createPlatformClient({ url: first.url, token: first.researcherToken });
    const capsule = await client.createCapsule(exampleCapsule);
    const TOKEN = secret();
    const waiting = await client.createRun({ capsuleId: capsule.id, secrets: { TOKEN } });
    await first.close();

    let readable = false;
    const place = `the key file ${join(dataDir, 'secrets.key')}`;
    const h = await startHarness({
      dataDir,
      secretsKeyRetryMs: 50,
      secretsKey: { place, load: () => (readable ? fileSecretsKey(dataDir) : Promise.reject(new Error('EACCES: permission denied'))) },
    });
    try {
      const plain = await h.researcher.createRun({ capsuleId: capsule.id, parameters: { n: 1 } });
      const lease = await h.worker.lease({ queue: 'cpu', workerId: 'w' });
      expect(lease!.runId).toBe(plain.id);
      expect(await h.worker.lease({ queue: 'cpu', workerId: 'w' })).toBeNull();
      expect((await h.researcher.getRun(waiting.id)).state).toBe('queued');
      await expect(h.researcher.rerun(waiting.id)).rejects.toMatchObject({ status: 503, message: expect.stringContaining(`(${place}) is not usable: EACCES`) });

      readable = true;
      let next = null;
      for (let i = 0; i < 200 && !next; i += 1) next = await h.worker.lease({ queue: 'cpu', workerId: 'w', waitMs: 100 });
      expect(next).toMatchObject({ runId: waiting.id, run: { parameters: { TOKEN } } });
    } finally {
      await h.close();
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { shellCapsule, waitForState } from '../worker/fault-test-support.js';

// The sandbox for real (services agent and worker as processes): runs → backup → some runs
// deleted behind the agent's back → restore → the runs are back, and the drill passes.
let dataDir: string;
let sandbox: LocalSandbox;
let admin: PlatformClient;
let researcher: PlatformClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'benchtop-backups-'));
  sandbox = await startLocalSandbox({ dataDir, workers: 1, example: false, workerArgs: ['--poll-ms', '1000'] });
  admin = createPlatformClient({ url: sandbox.url, token: sandbox.adminToken });
  researcher = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the sandbox database: backup, restore, drill', () => {
  it('brings deleted runs back from a backup, with their cost and results, and the drill reports ok', async () => {
    await admin.setLocalRate(1.8);
    const capsule = await shellCapsule(researcher, 'round-trip', 'sleep 0.3; echo "n=$PARAM_n" > /results/out.txt\n');
    const runs = [];
    for (let n = 0; n < 4; n += 1) runs.push(await researcher.createRun({ capsuleId: capsule.id, parameters: { n } }));
    const finished = await Promise.all(runs.map((r) => waitForState(researcher, r.id, ['succeeded', 'failed'], 60_000)));
    expect(finished.map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    for (const r of finished) expect(r.costSource).toBe('local rate of $1.8/hour set in the app');
    // The figures the closing note asks for: per-run cost in the sandbox at a local rate.
    console.log(JSON.stringify({ localRateUsdPerHour: 1.8, runs: finished.map((r) => ({ id: r.id, seconds: (Date.parse(r.finishedAt!) - Date.parse(r.startedAt!)) / 1000, costUsd: r.costUsd })) }));

    const backup = await admin.createBackup();
    expect(backup).toMatchObject({ kind: 'manual', name: expect.stringMatching(/-manual\.sqlite$/) });
    await expect(researcher.createBackup()).rejects.toMatchObject({ status: 403 });

    const gone = finished.slice(0, 2).map((r) => r.id);
    const db = new Database(join(dataDir, 'services', 'benchtop.sqlite'));
    db.prepare(`DELETE FROM logs WHERE run_n IN (SELECT n FROM runs WHERE id IN (?, ?))`).run(...gone);
    db.prepare('DELETE FROM runs WHERE id IN (?, ?)').run(...gone);
    db.close();
    await expect(researcher.getRun(gone[0]!)).rejects.toMatchObject({ status: 404 });

    const restored = await admin.restoreBackup(backup.name);
    expect(restored).toMatchObject({ restored: backup.name, runs: 4, capsules: 1, safetyBackup: expect.stringMatching(/-before-restore\.sqlite$/) });
    for (const original of finished.slice(0, 2)) {
      const back = await researcher.getRun(original.id);
      expect(back).toMatchObject({ state: 'succeeded', costUsd: original.costUsd, costSource: original.costSource, results: original.results });
      expect(new TextDecoder().decode(await (await researcher.resultFile(original.id, 'out.txt')).arrayBuffer())).toMatch(/^n=\d/);
    }
    // The platform goes on serving after the restore: a new run runs.
    const after = await researcher.createRun({ capsuleId: capsule.id, parameters: { n: 9 } });
    expect((await waitForState(researcher, after.id, ['succeeded', 'failed'], 60_000)).state).toBe('succeeded');

    const drill = await admin.runDrill();
    // The newest backup is the safety copy taken just before the restore: the two runs left then.
    expect(drill).toMatchObject({ ok: true, integrity: 'ok', trigger: 'manual', backupRuns: 2, backupCapsules: 1, liveRuns: 5, liveCapsules: 1 });
    expect(drill.backup).toBe(restored.safetyBackup);
    expect(drill.message).toMatch(/integrity ok, 2 runs and 1 capsules \(live: 5 runs, 1 capsules\)/);
    const list = await admin.listBackups();
    expect(list.items.map((b) => b.kind).sort()).toEqual(['before-restore', 'manual']);
    expect(list.lastDrill).toMatchObject({ id: drill.id, ok: true });
    expect(list.location).toBe(join(dataDir, 'services', 'backups'));
    expect(list.nextAt).not.toBeNull();
  }, 180_000);

  it('refuses a damaged backup: the drill fails saying why, a restore answers 409 and changes nothing', async () => {
    const broken = 'benchtop-2099-01-01T00-00-00-000Z.sqlite';
    writeFileSync(join(dataDir, 'services', 'backups', broken), 'SQLite format 3\0 but not really', { mode: 0o600 });
    const drill = await admin.runDrill();
    expect(drill).toMatchObject({ ok: false, backup: broken, message: expect.stringMatching(/did not restore/) });
    const before = (await researcher.listRuns({ limit: 100 })).items.length;
    await expect(admin.restoreBackup(broken)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/cannot be restored/) });
    expect((await researcher.listRuns({ limit: 100 })).items.length).toBe(before);
    await expect(admin.restoreBackup('benchtop-2001-01-01T00-00-00-000Z.sqlite')).rejects.toMatchObject({ status: 404 });
    await expect(admin.raw('POST', '/api/v1/backups/..%2Fbenchtop.sqlite/restore')).rejects.toMatchObject({ status: 400 });
  }, 60_000);
});

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../../main/deploy/testing/fake-aws/server.js';
import { S3BackupCopies } from './backup-copies.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// The agent's backups copied to S3 (the fake S3 on loopback, on S3's wire protocol): the copies
// outlive local pruning, are listed beside the local files, and restore like them.
let fake: FakeAws;
let h: Harness;
const s3 = () => new S3Client({ region: 'eu-west-1', endpoint: fake.url, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

beforeAll(async () => {
  fake = await startFakeAws({ region: 'eu-west-1' });
  fake.createBucket('lab-results');
  h = await startHarness({ backup: { intervalMs: 3600_000, keep: 1, copies: new S3BackupCopies(s3(), 'lab-results') } });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe('backups copied to S3', () => {
  it('lists a backup pruned locally as kept in S3, and restores from that copy', async () => {
    await h.researcher.createCapsule({ ...exampleCapsule, name: 'first' });
    const older = await h.admin.createBackup();
    await h.researcher.createCapsule({ ...exampleCapsule, name: 'second' });
    const newer = await h.admin.createBackup();
    // keep: 1 — the older file is gone from the services machine, its copy is not.
    expect(await readdir(join(h.dataDir, 'backups'))).toEqual([newer.name]);
    expect([...fake.objects.keys()].sort()).toEqual([`lab-results/backups/${older.name}`, `lab-results/backups/${newer.name}`].sort());

    const list = await h.admin.listBackups();
    expect(list).toMatchObject({ uploadedTo: 's3://lab-results/backups/', copiesError: null });
    expect(list.items.map((b) => [b.name, b.keptIn])).toEqual([
      [newer.name, ['local', 'uploaded']],
      [older.name, ['uploaded']],
    ]);
    expect(list.items[1]!.bytes).toBe(fake.objects.get(`lab-results/backups/${older.name}`)!.body.length);

    const restored = await h.admin.restoreBackup(older.name);
    expect(restored).toMatchObject({ restored: older.name, capsules: 1 });
    expect((await h.researcher.listCapsules()).items.map((c) => c.name)).toEqual(['first']);
    // Nothing downloaded is left behind in scratch.
    expect((await readdir(join(h.dataDir, 'restore-scratch')).catch(() => [])).filter((f) => f.startsWith('download-'))).toEqual([]);
  }, 60_000);

  it('refuses a copy whose bytes are not the ones uploaded (409), and a backup kept nowhere (404)', async () => {
    const names = (await h.admin.listBackups()).items.filter((b) => !b.keptIn.includes('local')).map((b) => b.name);
    const key = `lab-results/backups/${names[0]!}`;
    const copy = fake.objects.get(key)!;
    const damaged = Buffer.from(copy.body);
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0xff;
    fake.objects.set(key, { ...copy, body: damaged });
    await expect(h.admin.restoreBackup(names[0]!)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/cannot be restored: the copy of .* hashes to sha256/) });
    await expect(h.admin.restoreBackup('benchtop-2001-01-01T00-00-00-000Z.sqlite')).rejects.toMatchObject({ status: 404 });
  }, 60_000);

  it('still lists the local backups, saying why, when the copies cannot be listed', async () => {
    const other = await startHarness({ backup: { intervalMs: 3600_000, keep: 2, copies: new S3BackupCopies(s3(), 'no-such-bucket') } });
    try {
      // The backup itself is made (a restore's safety backup must not hang on S3); the missing copy is said.
      const made = await other.admin.createBackup();
      const list = await other.admin.listBackups();
      expect(list.items.map((b) => [b.name, b.keptIn])).toEqual([[made.name, ['local']]]);
      expect(list.copiesError).toMatch(/is kept on the services machine but could not be copied to s3:\/\/no-such-bucket\/backups\//);
      expect(list.copiesError).toMatch(/s3:\/\/no-such-bucket\/backups\/ could not be listed/);
    } finally {
      await other.close();
    }
  }, 60_000);
});

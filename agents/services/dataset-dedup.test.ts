import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { startHarness, type Harness } from './testing/harness.js';

// Files are kept once by their sha256. Knowing a file's hash and size must not be enough to learn
// that it is stored, nor to put it in one's own dataset without sending its bytes.

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let h: Harness;
let owner: PlatformClient;
let stranger: PlatformClient;
let reader: PlatformClient;
const secret = Buffer.from('patient,diagnosis\n17,rare\n');

async function person(name: string): Promise<{ id: string; client: PlatformClient }> {
  const user = await h.admin.createUser({ name, role: 'researcher' });
  return { id: user.id, client: createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id, 'laptop')).token }) };
}

beforeAll(async () => {
  h = await startHarness();
  owner = (await person('owner')).client;
  stranger = (await person('stranger')).client;
  const r = await person('reader');
  reader = r.client;
  const ds = await owner.createDataset({ name: 'private cohort', visibility: 'private' });
  await owner.uploadBlob(ds.id, sha(secret), secret);
  await owner.createVersion(ds.id, { files: [{ path: 'cohort.csv', size: secret.length, sha256: sha(secret) }] });
  await owner.shareDataset(ds.id, { collaborators: [r.id] });
});
afterAll(async () => {
  await h.close();
});

describe('a file another dataset holds', () => {
  it('is not confirmed to someone who cannot read that dataset: they upload it like a new file', async () => {
    const mine = await stranger.createDataset({ name: 'guesses' });
    // Neither "exists" nor the stored size: the same answer as for a file nobody has.
    expect(await stranger.startUpload(mine.id, { sha256: sha(secret), size: secret.length })).toEqual({ mode: 'direct' });
    expect(await stranger.startUpload(mine.id, { sha256: sha(secret), size: secret.length + 1 })).toEqual({ mode: 'direct' });
    const unknown = Buffer.from('nobody has this');
    expect(await stranger.startUpload(mine.id, { sha256: sha(unknown), size: unknown.length })).toEqual({ mode: 'direct' });
    // Nor attached without its bytes.
    await expect(stranger.createVersion(mine.id, { files: [{ path: 'x.csv', size: secret.length, sha256: sha(secret) }] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(`no blob ${sha(secret)} was uploaded to this dataset`),
    });
    // Wrong bytes under its hash are refused and leave the kept file alone.
    await expect(stranger.uploadBlob(mine.id, sha(secret), Buffer.from('forged'))).rejects.toMatchObject({ status: 400 });
    // Sending the bytes themselves is the proof: then the version is sealed, and the file is stored once.
    await stranger.uploadBlob(mine.id, sha(secret), secret);
    const { version } = await stranger.createVersion(mine.id, { files: [{ path: 'x.csv', size: secret.length, sha256: sha(secret) }] });
    expect(Buffer.from(await (await stranger.datasetFile(mine.id, version, 'x.csv')).arrayBuffer()).equals(secret)).toBe(true);
    expect(await readdir(join(h.dataDir, 'objects', 'datasets', 'blobs', sha(secret).slice(0, 2)))).toEqual([sha(secret)]);
  });

  it('is reused without an upload by someone who can read a dataset holding it', async () => {
    const mine = await reader.createDataset({ name: 'derived' });
    expect(await reader.startUpload(mine.id, { sha256: sha(secret), size: secret.length })).toEqual({ mode: 'exists', sha256: sha(secret), size: secret.length });
    const { version } = await reader.createVersion(mine.id, { files: [{ path: 'cohort.csv', size: secret.length, sha256: sha(secret) }] });
    expect(Buffer.from(await (await reader.datasetFile(mine.id, version, 'cohort.csv')).arrayBuffer()).equals(secret)).toBe(true);
    // A size that differs from the kept file is named to a reader (it tells them nothing new).
    await expect(reader.startUpload(mine.id, { sha256: sha(secret), size: 1 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining(`with ${secret.length} bytes, not 1`) });
  });
});

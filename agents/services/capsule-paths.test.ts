import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient, PlatformError } from '../../lib/protocol/client.js';
import { startLocalSandbox, type LocalSandbox } from '../../main/platform/local-sandbox.js';
import { capsulePath, gitReservedSegment } from '../../common/protocol/capsules.js';
import { FAST_WORKER, shellCapsule, waitForState } from '../worker/fault-test-support.js';
import { CapsuleRepo } from './capsule-repo.js';
import { git, GitError } from './git.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

const REFUSED = [
  '.git/config',
  '.GIT/config',
  'a/.git/b',
  '.Git',
  '.git /x',
  '.git. . /x',
  'git~1/config',
  'GIT~1',
  '.git::$INDEX_ALLOCATION/x',
  '.g\u200cit/config',
  '.gi\u200dt',
  '\ufeff.git/x',
  'a/.\u202egit\u206f/b',
];
const ACCEPTED = ['.gitignore', '.github/workflows/ci.yml', 'x.git', 'git~2', '.git~1', 'a.git/b', '.gıt', 'git', '.gitmodules'];

describe('capsule paths git keeps for itself', () => {
  it('refuses exactly what git archive refuses, with the NTFS and HFS+ rules on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'benchtop-paths-'));
    try {
      const repo = new CapsuleRepo(join(dir, 'r.git'));
      await repo.init();
      let parent: { commit: string; path: string } | null = null;
      for (const path of [...REFUSED, ...ACCEPTED]) {
        const commit = await repo.commit({ parent: parent?.commit ?? null, message: path, authorName: 't', authorEmail: 't@t', writes: [{ path, content: Buffer.from('x'), executable: false }], deletes: parent ? [parent.path] : [] });
        parent = { commit, path };
        const gitRefuses = await git(repo.dir, ['-c', 'core.protectNTFS=true', '-c', 'core.protectHFS=true', 'archive', '--format=tar', commit]).then(
          () => false,
          (error: unknown) => error instanceof GitError && /invalid path/.test(error.stderr),
        );
        expect({ path, refused: gitReservedSegment(path) !== null }).toEqual({ path, refused: gitRefuses });
        expect(capsulePath.safeParse(path).success).toBe(!gitRefuses);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('writing a capsule path git refuses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it.each(['.git/config', '.GIT/config', 'a/.git/b', 'GIT~1/hooks/post-checkout', '.g\u200cit/config'])('is a 400 naming %j', async (path) => {
    const created = h.researcher.createCapsule({ ...exampleCapsule, files: [{ path, content: '[core]\n' }] });
    await expect(created).rejects.toMatchObject({ status: 400, code: 'bad-input' });
    const error = (await created.catch((e: unknown) => e)) as PlatformError;
    expect(error.message).toContain('body.files.0.path: "');
    expect(error.message).toContain('which git reserves for its own .git folder');

    const capsule = await h.researcher.createCapsule(exampleCapsule);
    const committed = h.researcher.commit(capsule.id, { message: 'sneak', files: [{ path: 'ok.txt', content: '' }, { path, content: '' }] });
    await expect(committed).rejects.toMatchObject({ status: 400, message: expect.stringContaining('body.files.1.path: "') });
  });
});

describe('a version stored with such a path before paths were checked', () => {
  let dataDir: string;
  let sandbox: LocalSandbox | undefined;
  afterAll(async () => {
    await sandbox?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('fails its run at once with the path named, keeps the agent up across restarts, and is repaired by deleting the path', { timeout: 120_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'benchtop-bad-path-'));
    sandbox = await startLocalSandbox({ dataDir, workers: 0, example: false });
    const capsule = await shellCapsule(createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken }), 'old', 'echo ran\n');
    await sandbox.stop();
    // What a repository written before the check may hold; the agent adopts it as head at start.
    const repo = new CapsuleRepo(join(dataDir, 'services', 'capsules', `${capsule.id}.git`));
    const bad = await repo.commit({ parent: capsule.head, message: 'old', authorName: 't', authorEmail: 't@t', writes: [{ path: '.git/config', content: Buffer.from('[core]\n'), executable: false }], deletes: [] });

    // Leases that outlast a loaded machine: with a 1.5 s lease the run could lapse before its worker
    // failed it, and its second attempt would fail it again (attempts 2).
    sandbox = await startLocalSandbox({ dataDir, workers: 1, example: false, servicesArgs: ['--lease-ttl-ms', '60000', '--max-wait-ms', '1000'], workerArgs: FAST_WORKER });
    const client = createPlatformClient({ url: sandbox.url, token: sandbox.researcherToken });
    expect((await client.getCapsule(capsule.id)).head).toBe(bad);
    const services = sandbox.pids().services;
    const run = await client.createRun({ capsuleId: capsule.id });
    const failed = await waitForState(client, run.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toContain('holds the path ".git/config", which git refuses to check out');
    await expect(client.archive(capsule.id)).rejects.toMatchObject({ status: 409, code: 'conflict' });
    expect(sandbox.pids().services).toBe(services);
    expect((await client.health()).queues.cpu.queued).toBe(0);

    const repaired = await client.commit(capsule.id, { message: 'drop it', parent: bad, delete: ['.git/config'] });
    const archive = await client.archive(capsule.id, repaired.commit.sha);
    expect(archive.headers.get('x-commit')).toBe(repaired.commit.sha);
    expect(Buffer.from(await archive.arrayBuffer()).includes('run.sh')).toBe(true);
  });
});

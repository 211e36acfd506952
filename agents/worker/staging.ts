import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { PlatformClient } from '../protocol/client.js';
import type { DatasetPin, Lease } from '../protocol/index.js';
import type { RunMounts } from './runtimes/runtime.js';

/** A run's folders on the worker; `root` is removed once the run is over. */
export interface StagedRun extends RunMounts {
  root: string;
}

/** Turns the body of a fetch answer into a Node stream. */
function nodeStream(body: ReadableStream<Uint8Array> | null): Readable {
  if (!body) throw new Error('the platform answered without a body');
  return Readable.fromWeb(body as WebReadableStream<Uint8Array>);
}

/**
 * Unpacks a capsule archive into `dir` with GNU tar, which refuses members that escape it. The
 * archive is saved first: tar stops reading at the end-of-archive marker, and piping into it would
 * race with the padding that follows.
 */
async function untar(source: Readable, archive: string, dir: string): Promise<void> {
  await pipeline(source, createWriteStream(archive));
  const tar = spawn('tar', ['-x', '--no-same-owner', '--no-same-permissions', '-C', dir, '-f', archive], { stdio: ['ignore', 'ignore', 'pipe'] });
  const errors: Buffer[] = [];
  tar.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', resolve);
  });
  await rm(archive, { force: true });
  if (code !== 0) throw new Error(`unpacking the capsule failed: ${Buffer.concat(errors).toString('utf8').trim()}`);
}

/** Makes a tree read-only for everyone (the best a plain process gets; bubblewrap enforces it). */
async function makeReadOnly(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if (info.isDirectory()) {
    for (const name of await readdir(path)) await makeReadOnly(join(path, name));
    await chmod(path, 0o555);
  } else {
    await chmod(path, info.mode & 0o111 ? 0o555 : 0o444);
  }
}

/** Undoes makeReadOnly on folders so the tree can be deleted. */
async function makeDeletable(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isDirectory()) return;
  await chmod(path, 0o755);
  for (const name of await readdir(path)) await makeDeletable(join(path, name));
}

export async function removeRunFolder(root: string): Promise<void> {
  await makeDeletable(root);
  await rm(root, { recursive: true, force: true });
}

/**
 * Dataset versions are immutable, so each is downloaded once into a cache, checked file by file
 * against its sha256, and hard-linked into every run that mounts it.
 */
export class DatasetCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly dir: string,
    private readonly client: PlatformClient,
  ) {}

  version(pin: DatasetPin): Promise<string> {
    const key = `${pin.datasetId}/${pin.version}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = this.download(pin);
      this.pending.set(key, entry);
      entry.catch(() => this.pending.delete(key));
    }
    return entry;
  }

  private async download(pin: DatasetPin): Promise<string> {
    const target = join(this.dir, pin.datasetId, pin.version);
    if (await stat(target).then(() => true, () => false)) return target;
    const partial = `${target}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    const version = await this.client.getVersion(pin.datasetId, pin.version);
    for (const file of version.files) {
      const path = join(partial, file.path);
      await mkdir(dirname(path), { recursive: true });
      const hash = createHash('sha256');
      const hasher = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const res = await this.client.datasetFile(pin.datasetId, pin.version, file.path);
      await pipeline(nodeStream(res.body), hasher, createWriteStream(path));
      const digest = hash.digest('hex');
      if (digest !== file.sha256) throw new Error(`dataset ${pin.datasetId} version ${pin.version}: ${file.path} has sha256 ${digest}, expected ${file.sha256}`);
    }
    await mkdir(partial, { recursive: true });
    await makeReadOnly(partial);
    // The rename publishes a complete, verified version at once; a crash leaves only a .partial.
    await mkdir(dirname(target), { recursive: true });
    await rename(partial, target);
    return target;
  }
}

async function linkTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) await linkTree(from, to);
    else if (entry.isFile()) await link(from, to);
  }
}

/**
 * Builds the per-run folder: code/ (the run's commit, read-only), data/<mount>/ (dataset
 * versions, read-only), results/ (empty), tmp/ (scratch).
 */
export async function stageRun(options: { workDir: string; client: PlatformClient; datasets: DatasetCache; lease: Lease }): Promise<StagedRun> {
  const { lease, client } = options;
  const root = join(options.workDir, 'runs', `${lease.runId}.${lease.fencingToken}`);
  await removeRunFolder(root);
  const staged: StagedRun = { root, code: join(root, 'code'), data: join(root, 'data'), results: join(root, 'results'), scratch: join(root, 'tmp') };
  for (const dir of [staged.code, staged.data, staged.results, staged.scratch]) await mkdir(dir, { recursive: true });

  const archive = await client.archive(lease.run.capsuleId, lease.run.commit);
  const commit = archive.headers.get('x-commit');
  if (commit && commit !== lease.run.commit) throw new Error(`the platform sent commit ${commit} for a run of commit ${lease.run.commit}`);
  await untar(nodeStream(archive.body), join(root, 'code.tar'), staged.code);

  for (const pin of lease.run.datasets) {
    const cached = await options.datasets.version(pin);
    await linkTree(cached, join(staged.data, pin.mount));
  }
  await makeReadOnly(staged.code);
  await makeReadOnly(staged.data);
  return staged;
}

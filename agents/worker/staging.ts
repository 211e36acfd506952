import { spawn } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { PlatformClient } from '../../lib/protocol/client.js';
import type { DatasetPin, Lease } from '../../common/protocol/index.js';
import type { DatasetCache } from './dataset-cache.js';
import type { RunMounts } from './runtimes/runtime.js';

/**
 * A run's folders on the worker; `root` (results, scratch) and `data` are removed once the run is
 * over. `data` lives next to the dataset cache, on its filesystem, so its files can be hard links.
 */
export interface StagedRun extends RunMounts {
  root: string;
}

export async function removeStagedRun(staged: Pick<StagedRun, 'root' | 'data'>): Promise<void> {
  await removeRunFolder(staged.data);
  await removeRunFolder(staged.root);
}

/** A worker id as one folder name. */
const folderName = (workerId: string) => workerId.replace(/[^A-Za-z0-9._-]/g, '_');

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
    // A linked blob of the shared cache is already 0444, and may belong to another worker.
    const mode = info.mode & 0o111 ? 0o555 : 0o444;
    if ((info.mode & 0o777) !== mode) await chmod(path, mode);
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
 * Folders filled once and never changed again (a commit's checkout, a dataset version), shared
 * read-only by every run that needs them. A fill goes to a temporary folder that is renamed into
 * place when complete, so a crash mid-download never leaves a half-filled entry behind.
 */
class ImmutableFolders {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  get(key: string, fill: (folder: string) => Promise<void>): Promise<string> {
    let entry = this.pending.get(key);
    if (!entry) {
      entry = this.create(key, fill);
      this.pending.set(key, entry);
      entry.catch(() => this.pending.delete(key));
    }
    return entry;
  }

  private async create(key: string, fill: (folder: string) => Promise<void>): Promise<string> {
    const target = join(this.dir, key);
    if (await stat(target).then(() => true, () => false)) return target;
    const partial = `${target}.partial-${process.pid}`;
    await removeRunFolder(partial);
    await mkdir(partial, { recursive: true });
    await fill(partial);
    await makeReadOnly(partial);
    await rename(partial, target);
    return target;
  }
}

async function stageVersion(client: PlatformClient, cache: DatasetCache, pin: DatasetPin, folder: string): Promise<void> {
  const version = await client.getVersion(pin.datasetId, pin.version);
  for (const file of version.files) {
    const path = join(folder, file.path);
    await mkdir(dirname(path), { recursive: true });
    await cache.materialize(file, path, async () => nodeStream((await client.datasetFile(pin.datasetId, pin.version, file.path)).body));
  }
}

/**
 * Builds each run's folders. /code is the commit's checkout, unpacked once per commit and shared
 * read-only; /data/<mount> holds read-only links to (or copies of) the files of the shared dataset
 * cache, each downloaded once by sha256 (dataset-cache.ts); results/ and tmp/ are the run's own.
 */
export class RunStager {
  private readonly checkouts: ImmutableFolders;
  private readonly dataDir: string;

  constructor(
    private readonly workDir: string,
    private readonly client: PlatformClient,
    private readonly datasets: DatasetCache,
    workerId: string,
  ) {
    this.checkouts = new ImmutableFolders(join(workDir, 'cache', 'code'));
    this.dataDir = join(datasets.runsDir, folderName(workerId));
  }

  /** Removes the data folders a previous process of this worker left (it died mid-run). */
  async sweep(): Promise<void> {
    await removeRunFolder(this.dataDir);
  }

  async stage(lease: Lease): Promise<StagedRun> {
    const { run } = lease;
    const name = `${lease.runId}.${lease.fencingToken}`;
    const root = join(this.workDir, 'runs', name);
    const data = join(this.dataDir, name);
    if (existsSync(root) || existsSync(data)) await removeStagedRun({ root, data });
    const code = await this.checkouts.get(`${run.capsuleId}/${run.commit}`, async (folder) => {
      const archive = await this.client.archive(run.capsuleId, run.commit);
      const commit = archive.headers.get('x-commit');
      if (commit && commit !== run.commit) throw new Error(`the platform sent commit ${commit} for a run of commit ${run.commit}`);
      await untar(nodeStream(archive.body), `${folder}.tar`, folder);
    });
    const staged: StagedRun = { root, code, data, results: join(root, 'results'), scratch: join(root, 'tmp') };
    // Synchronous on purpose: three tiny syscalls on the path from lease to start, where every
    // trip through the thread pool is latency the run waits for.
    for (const dir of [staged.data, staged.results, staged.scratch]) mkdirSync(dir, { recursive: true });
    for (const pin of run.datasets) await stageVersion(this.client, this.datasets, pin, join(staged.data, pin.mount));
    if (run.datasets.length > 0) {
      await makeReadOnly(staged.data);
      await this.datasets.evict();
    } else {
      chmodSync(staged.data, 0o555);
    }
    return staged;
  }
}

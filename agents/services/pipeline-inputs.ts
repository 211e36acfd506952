import type { z } from 'zod';
import { canonicalManifest, type FileEntry } from '../../common/protocol/datasets.js';
import type { createRunRequest, RunInputPin } from '../../common/protocol/runs.js';
import type { User } from '../../common/protocol/users.js';
import type { Services } from './context.js';
import { badInput, conflict } from './http-error.js';
import { newId, nowIso, sha256 } from './ids.js';
import { readableRun } from './run-guards.js';

type CreateRunBody = z.output<typeof createRunRequest>;

/** The files under `path` (a file, or a folder's contents) with paths relative to it, and where each came from. */
function selectFiles(files: FileEntry[], path: string | undefined, what: string): Array<{ file: FileEntry; source: string }> {
  if (path === undefined) return files.map((file) => ({ file, source: file.path }));
  const exact = files.find((f) => f.path === path);
  if (exact) return [{ file: { ...exact, path: exact.path.split('/').pop()! }, source: exact.path }];
  const prefix = `${path}/`;
  const inside = files.filter((f) => f.path.startsWith(prefix)).map((f) => ({ file: { ...f, path: f.path.slice(prefix.length) }, source: f.path }));
  if (inside.length === 0) throw badInput(`${what}.path: the run has no result file or folder "${path}"`);
  return inside;
}

/** The dataset that keeps `user`'s copies of one run's results (made on first use, left out of dataset lists). */
async function originDataset(s: Services, user: User, runId: string): Promise<string> {
  const found = s.db.prepare('SELECT id FROM datasets WHERE origin_run = ? AND owner_id = ?').get(runId, user.id) as { id: string } | undefined;
  if (found) return found.id;
  const id = newId('dst');
  await s.writes.run(() =>
    s.db
      .prepare("INSERT INTO datasets (id, name, description, created_at, owner_id, visibility, origin_run) VALUES (?, ?, ?, ?, ?, 'private', ?)")
      .run(id, `results of ${runId}`, `Pipeline input: the results of run ${runId}`, nowIso(), user.id, runId),
  );
  return id;
}

/**
 * Turns a run request's `inputs` (other runs' results) into dataset pins the worker mounts like any
 * other dataset: each upstream run's files are kept once as blobs and sealed as a version of a
 * dataset tied to that run, so the worker needs nothing new and a re-run reads the same version.
 * Answers the request with those pins added, and the input pins for the run record.
 */
export async function materializeInputs(s: Services, user: User, body: CreateRunBody): Promise<{ body: CreateRunBody; inputs: RunInputPin[] }> {
  const inputs: RunInputPin[] = [];
  const extra: CreateRunBody['datasets'] = [];
  for (const [i, input] of body.inputs.entries()) {
    const what = `body.inputs.${i}`;
    const row = readableRun(s, user, input.runId);
    if (row.state !== 'succeeded') throw conflict(`${what}: run ${input.runId} is ${row.state}; only a run that succeeded can feed another`);
    const manifest = s.results.manifest(input.runId);
    const selected = selectFiles(manifest.files, input.path, what);
    const datasetId = await originDataset(s, user, input.runId);
    for (const { file, source } of selected) {
      // Kept already: the caller reads the run whose results are these bytes, so the dataset may use them.
      if (s.datasets.isStored(file.sha256)) {
        await s.datasets.attachBlob(datasetId, file.sha256);
        continue;
      }
      const { body: bytes } = await s.results.open(input.runId, source);
      await s.datasets.putBlob(datasetId, file.sha256, bytes);
    }
    const files = selected.map((x) => x.file);
    const { version } = await s.datasets.createVersion(datasetId, files, `results of ${input.runId}${input.path ? ` (${input.path})` : ''}`, user);
    const mount = input.mount ?? input.runId;
    extra.push({ datasetId, version: version.version, mount });
    inputs.push({ runId: input.runId, path: input.path ?? null, mount, manifestHash: sha256(canonicalManifest(manifest.files)), datasetId, version: version.version });
  }
  return { body: { ...body, datasets: [...body.datasets, ...extra] }, inputs };
}

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type RunningServices } from '../../../agents/services/start-services.js';
import type { UploadSession } from '../../../common/api/datasets.contract.js';
import { Router } from '../../../common/api/router.js';
import type { Dataset, DatasetVersion } from '../../../common/protocol/datasets.js';
import type { SecretStore } from '../../settings/secret-store.js';
import { registerResearcher } from './register-researcher.js';

// A dataset of a few thousand files uploaded through the app's calls to a real services agent,
// cut off half-way, picked up again by a restarted app (a new router over the same data folder).

// 800 files: enough to batch, cut off mid-file and resume; the sandbox agent takes ~13 ms per file
// on a loaded 2-core machine (each blob fsynced), so more would only slow the suite.
const FILES = 800;
const CUT = 430;
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const content = (i: number) => Buffer.from(`row ${i}\n`.repeat(1 + (i % 7)));

let services: RunningServices;
const dirs: string[] = [];
let appDir: string;

function memorySecrets(): SecretStore {
  const values = new Map<string, string>();
  return { protection: 'plain-file', set: (k, v) => void values.set(k, v), get: (k) => values.get(k), has: (k) => values.has(k), delete: (k) => values.delete(k) };
}

function app() {
  const router = new Router();
  registerResearcher(router, { dataDir: appDir, secrets: memorySecrets(), localPlatform: Promise.resolve({ url: services.url, token: services.researcherToken }) });
  return async <T,>(name: string, input?: unknown): Promise<T> => {
    const result = await router.invoke(name, input, { transport: 'test' });
    if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
    return result.value as T;
  };
}

/** Sends files [from, to) as pieces of up to 200 files per call, as the page does; answers the bytes acknowledged. */
async function send(call: ReturnType<typeof app>, sessionId: string, from: number, to: number, progress: number[]) {
  for (let start = from; start < to; start += 200) {
    const pieces = [];
    for (let i = start; i < Math.min(to, start + 200); i++) pieces.push({ index: i, offset: 0, data: content(i).toString('base64') });
    const answer = await call<{ files: Array<{ index: number; received: number; sent: boolean }> }>('datasets:upload-pieces', { sessionId, pieces });
    progress.push(answer.files.reduce((s, f) => s + f.received, 0));
    expect(answer.files.every((f) => f.sent)).toBe(true);
  }
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-upload-services-'));
  appDir = mkdtempSync(path.join(tmpdir(), 'bt-upload-app-'));
  dirs.push(dataDir, appDir);
  services = await startServices({ dataDir, port: 0, host: '127.0.0.1', logger: false, backup: false });
});

afterAll(async () => {
  await services?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dataset uploads through the app', () => {
  it(`uploads ${FILES} files, is interrupted, resumes after a restart, and seals one version`, async () => {
    let call = app();
    await new Promise((r) => setImmediate(r));
    const dataset = await call<Dataset>('datasets:create', { name: 'many files' });
    const files = Array.from({ length: FILES }, (_, i) => ({ path: `folder ${i % 10}/file-${i}.csv`, size: content(i).length }));
    const session = await call<UploadSession>('datasets:upload-begin', { datasetId: dataset.id, message: 'first', files });
    const progress: number[] = [];
    await send(call, session.sessionId, 0, CUT, progress);
    // Half of one more file arrives before the app goes away.
    await call('datasets:upload-pieces', { sessionId: session.sessionId, pieces: [{ index: CUT, offset: 0, data: content(CUT).subarray(0, 3).toString('base64') }] });

    call = app();
    const [kept] = (await call<{ items: UploadSession[] }>('datasets:list-uploads')).items;
    expect(kept!.sessionId).toBe(session.sessionId);
    expect(kept!.files.filter((f) => f.sent)).toHaveLength(CUT);
    expect(kept!.files[CUT]).toMatchObject({ received: 3, sent: false });
    await expect(call('datasets:upload-finish', { sessionId: session.sessionId })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`${FILES - CUT} of ${FILES}`) });
    await expect(call('datasets:upload-pieces', { sessionId: session.sessionId, pieces: [{ index: CUT, offset: 0, data: 'AAAA' }] })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('holds 3 bytes') });
    await call('datasets:upload-pieces', { sessionId: session.sessionId, pieces: [{ index: CUT, offset: 3, data: content(CUT).subarray(3).toString('base64') }] });
    await send(call, session.sessionId, CUT + 1, FILES, progress);

    const version = await call<DatasetVersion>('datasets:upload-finish', { sessionId: session.sessionId });
    expect(version.files).toHaveLength(FILES);
    expect(version.files.find((f) => f.path === `folder ${CUT % 10}/file-${CUT}.csv`)?.sha256).toBe(sha(content(CUT)));
    expect(version.size).toBe(files.reduce((s, f) => s + f.size, 0));
    expect(readdirSync(path.join(appDir, 'dataset-uploads'))).toEqual([]);
    const bytes = await (await fetch(`${services.url}/api/v1/datasets/${dataset.id}/versions/${version.version}/files/folder%203/file-3.csv`, { headers: { authorization: `Bearer ${services.researcherToken}` } })).text();
    expect(bytes).toBe(content(3).toString());
    expect(progress.every((p) => p > 0)).toBe(true);
  }, 90_000);

  it('refuses a file chosen twice or a file that is also a folder', async () => {
    const call = app();
    await new Promise((r) => setImmediate(r));
    const dataset = await call<Dataset>('datasets:create', { name: 'clash' });
    await expect(call('datasets:upload-begin', { datasetId: dataset.id, files: [{ path: 'a', size: 1 }, { path: 'a', size: 1 }] })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('twice') });
    await expect(call('datasets:upload-begin', { datasetId: dataset.id, files: [{ path: 'a', size: 1 }, { path: 'a/b', size: 1 }] })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringContaining('both a file and a folder') });
  });
});

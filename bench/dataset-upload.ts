import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServices } from '../agents/services/start-services.js';
import { Router } from '../common/api/router.js';
import type { UploadSession } from '../common/api/datasets.contract.js';
import type { Dataset } from '../common/protocol/datasets.js';
import { registerResearcher } from '../main/platform/connection/register-researcher.js';
import type { SecretStore } from '../main/settings/secret-store.js';
import { numberOption } from './lib/number-option.js';

// Dataset upload through the app's calls to a sandbox services agent (folder object store, every
// blob fsynced): many small files in batches of 200 per call, as the Datasets page sends them, and
// a few large ones in 4 MiB pieces. Prints files/s and MB/s.
//   node --import tsx bench/dataset-upload.ts [--files N] [--large-mb N]

const FILES = numberOption('--files', 2000);
const LARGE_MB = numberOption('--large-mb', 64);

function emit(metric: string, value: number, unit: string, extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'dataset-upload', metric, value: Math.round(value * 100) / 100, unit, better: 'higher', ...extra })}\n`);
}

const secrets = (): SecretStore => {
  const m = new Map<string, string>();
  return { protection: 'plain-file', set: (k, v) => void m.set(k, v), get: (k) => m.get(k), has: (k) => m.has(k), delete: (k) => m.delete(k) };
};

const dataDir = await mkdtemp(join(tmpdir(), 'bench-upload-services-'));
const appDir = await mkdtemp(join(tmpdir(), 'bench-upload-app-'));
const services = await startServices({ dataDir, backup: false, logger: false });
try {
  const router = new Router();
  registerResearcher(router, { dataDir: appDir, secrets: secrets(), localPlatform: Promise.resolve({ url: services.url, token: services.researcherToken }) });
  await new Promise((r) => setImmediate(r));
  const call = async <T,>(name: string, input?: unknown): Promise<T> => {
    const result = await router.invoke(name, input, { transport: 'test' });
    if (!result.ok) throw new Error(result.error.message);
    return result.value as T;
  };
  const content = (i: number) => Buffer.from(`${i},${i * i},${'x'.repeat(i % 200)}\n`);

  const small = await call<Dataset>('datasets:create', { name: 'small files' });
  const files = Array.from({ length: FILES }, (_, i) => ({ path: `part-${i % 20}/f-${i}.csv`, size: content(i).length }));
  let started = performance.now();
  const session = await call<UploadSession>('datasets:upload-begin', { datasetId: small.id, files });
  for (let at = 0; at < FILES; at += 200) {
    const pieces = [];
    for (let i = at; i < Math.min(FILES, at + 200); i++) pieces.push({ index: i, offset: 0, data: content(i).toString('base64') });
    await call('datasets:upload-pieces', { sessionId: session.sessionId, pieces });
  }
  await call('datasets:upload-finish', { sessionId: session.sessionId });
  const smallSeconds = (performance.now() - started) / 1000;
  emit('small-files', FILES / smallSeconds, 'files/s', { files: FILES, seconds: Math.round(smallSeconds * 10) / 10 });

  const large = await call<Dataset>('datasets:create', { name: 'large file' });
  const bytes = Buffer.alloc(LARGE_MB * 1024 * 1024, 7);
  started = performance.now();
  const big = await call<UploadSession>('datasets:upload-begin', { datasetId: large.id, files: [{ path: 'big.bin', size: bytes.length }] });
  const piece = 4 * 1024 * 1024;
  for (let offset = 0; offset < bytes.length; offset += piece) {
    await call('datasets:upload-pieces', { sessionId: big.sessionId, pieces: [{ index: 0, offset, data: bytes.subarray(offset, offset + piece).toString('base64') }] });
  }
  await call('datasets:upload-finish', { sessionId: big.sessionId });
  const largeSeconds = (performance.now() - started) / 1000;
  emit('large-file', LARGE_MB / largeSeconds, 'MB/s', { megabytes: LARGE_MB, seconds: Math.round(largeSeconds * 10) / 10 });
} finally {
  await services.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(appDir, { recursive: true, force: true });
}

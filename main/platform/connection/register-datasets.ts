import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  beginUpload,
  createDatasetCall,
  discardUpload,
  finishUpload,
  getDatasetCall,
  getDatasetVersion,
  listDatasetsPage,
  listDatasetVersions,
  listUploads,
  runsUsingDataset,
  sendUploadPieces,
  shareDataset,
  uploadStatus,
  type UploadSession,
} from '../../../common/api/datasets.contract.js';
import { ApiError } from '../../../common/api/errors.js';
import type { Router } from '../../../common/api/router.js';
import type { Dataset } from '../../../common/protocol/datasets.js';
import type { Run } from '../../../common/protocol/runs.js';
import type { PlatformClient } from '../../../lib/protocol/client.js';
import type { PlatformRegistry } from './platform-registry.js';
import { sendBlob } from './send-blob.js';
import { UploadSessions } from './upload-sessions.js';

/** How many pages of a list are read at most: a bound, so a misbehaving cursor cannot loop. */
const MAX_PAGES = 200;
/** Runs searched for "used by": the newest this many. */
const RUNS_SEARCHED = 1000;
/** Files sent to the platform at once. */
const SEND_CONCURRENCY = 8;

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function allDatasets(client: PlatformClient): Promise<Dataset[]> {
  const items: Dataset[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await client.listDatasets({ limit: 500, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.next;
    if (!cursor) break;
  }
  return items;
}

function checkPaths(files: Array<{ path: string }>): void {
  const paths = new Set<string>();
  files.forEach((f, i) => {
    if (paths.has(f.path)) throw new ApiError('bad-input', `files.${i}: "${f.path}" is chosen twice.`, 'Choose each file once.');
    paths.add(f.path);
  });
  for (const p of paths) {
    const parts = p.split('/');
    for (let k = 1; k < parts.length; k++) {
      const prefix = parts.slice(0, k).join('/');
      if (paths.has(prefix)) throw new ApiError('bad-input', `"${prefix}" is both a file and a folder in this upload.`, 'Rename one of them.');
    }
  }
}

/** The Datasets page: datasets, versions, sharing, "used by", and resumable uploads staged under `dataDir/dataset-uploads`. */
export function registerDatasets(router: Router, platforms: PlatformRegistry, dataDir: string, options: { fetchPart?: typeof fetch } = {}): void {
  const sessions = new UploadSessions(path.join(dataDir, 'dataset-uploads'));
  // Sessions whose platform takes bytes through itself: their files need no "how" question first.
  const direct = new Set<string>();
  // One session's pieces are written in order; two calls for the same session must not interleave.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(sessionId: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(sessionId) ?? Promise.resolve()).catch(() => undefined).then(work);
    queues.set(sessionId, next);
    return next.finally(() => {
      if (queues.get(sessionId) === next) queues.delete(sessionId);
    });
  };
  const onItsPlatform = <T>(session: UploadSession, work: (client: PlatformClient) => Promise<T>): Promise<T> =>
    platforms.withActive((client, platform) => {
      if (platform.id !== session.platformId) {
        throw new ApiError('conflict', `This upload goes to the platform "${session.platformId}", not the active one (${platform.name}).`, `Switch to "${session.platformId}" to go on, or discard the upload.`);
      }
      return work(client);
    });

  router
    .handle(listDatasetsPage, () => platforms.withActive(async (client) => ({ items: await allDatasets(client) })))
    .handle(createDatasetCall, (input) => platforms.withActive((client) => client.createDataset(input)))
    .handle(getDatasetCall, ({ id }) => platforms.withActive((client) => client.getDataset(id)))
    .handle(listDatasetVersions, ({ id }) =>
      platforms.withActive(async (client) => {
        const items = [];
        let cursor: string | undefined;
        for (let i = 0; i < MAX_PAGES; i++) {
          const page = await client.listVersions(id, { limit: 500, ...(cursor ? { cursor } : {}) });
          items.push(...page.items);
          cursor = page.next;
          if (!cursor) break;
        }
        return { items };
      }),
    )
    .handle(getDatasetVersion, ({ id, version }) => platforms.withActive((client) => client.getVersion(id, version)))
    .handle(shareDataset, ({ id, ...change }) => platforms.withActive((client) => client.shareDataset(id, change)))
    .handle(runsUsingDataset, ({ id, version }) =>
      platforms.withActive(async (client) => {
        const runs: Run[] = [];
        let cursor: string | undefined;
        while (runs.length < RUNS_SEARCHED) {
          const page = await client.listRuns({ limit: 500, ...(cursor ? { cursor } : {}) });
          runs.push(...page.items);
          cursor = page.next;
          if (!cursor) break;
        }
        const items = runs.filter((r) => r.datasets.some((d) => d.datasetId === id && (!version || d.version === version)));
        return { items, searched: runs.length };
      }),
    )
    .handle(beginUpload, ({ datasetId, message, files }) =>
      platforms.withActive(async (client, platform) => {
        checkPaths(files);
        const dataset = await client.getDataset(datasetId);
        return sessions.create({
          platformId: platform.id,
          datasetId,
          datasetName: dataset.name,
          message,
          files: files.map((f) => ({ path: f.path, size: f.size, received: 0, sent: false, sha256: null })),
        });
      }),
    )
    .handle(sendUploadPieces, ({ sessionId, pieces }) =>
      serial(sessionId, async () => {
        const session = sessions.get(sessionId);
        const touched = new Map<number, { received: number; sent: boolean }>();
        const complete: number[] = [];
        return onItsPlatform(session, async (client) => {
          try {
            return await receive(client);
          } finally {
            // Once per call, not per file: a file sent but not yet recorded is found on the
            // platform ("exists") when it is sent again, so a crash here costs a resend, nothing more.
            sessions.save(session);
          }
        });
        async function receive(client: PlatformClient) {
          for (const piece of pieces) {
            const file = session.files[piece.index];
            if (!file) throw new ApiError('bad-input', `pieces: this upload has no file ${piece.index}.`);
            if (file.sent) continue;
            const bytes = Buffer.from(piece.data, 'base64');
            if (piece.offset + bytes.length > file.size) throw new ApiError('bad-input', `pieces: ${file.path} has ${file.size} bytes; this piece ends at ${piece.offset + bytes.length}.`);
            file.received = await sessions.append(sessionId, piece.index, piece.offset, bytes);
            if (file.received === file.size) complete.push(piece.index);
          }
          // Files completed by this call go to the platform a few at a time: its writes are group-committed.
          await inParallel(complete, SEND_CONCURRENCY, async (index) => {
            const file = session.files[index]!;
            const staged = sessions.staging(sessionId, index);
            file.sha256 = await sendBlob(client, session.datasetId, staged, file.size, { fetchPart: options.fetchPart, knownDirect: direct.has(sessionId), onDirect: () => direct.add(sessionId) });
            file.sent = true;
            await rm(staged, { force: true });
          });
          for (const piece of pieces) {
            const file = session.files[piece.index]!;
            touched.set(piece.index, { received: file.received, sent: file.sent });
          }
          return { files: [...touched].map(([index, state]) => ({ index, ...state })) };
        }
      }),
    )
    .handle(uploadStatus, ({ sessionId }) => sessions.get(sessionId))
    .handle(listUploads, () => ({ items: sessions.list() }))
    .handle(finishUpload, ({ sessionId }) =>
      serial(sessionId, async () => {
        const session = sessions.get(sessionId);
        const missing = session.files.filter((f) => !f.sent);
        if (missing.length > 0) throw new ApiError('conflict', `${missing.length} of ${session.files.length} files are not on the platform yet (first: ${missing[0]!.path}).`, 'Send the rest, then seal the version.');
        const version = await onItsPlatform(session, (client) =>
          client.createVersion(session.datasetId, { message: session.message, files: session.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256! })) }),
        );
        sessions.drop(sessionId);
        return version;
      }),
    )
    .handle(discardUpload, ({ sessionId }) => serial(sessionId, async () => ({ discarded: sessions.drop(sessionId) })));
}

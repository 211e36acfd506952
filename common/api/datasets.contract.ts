import { z } from 'zod';
import { id, relativePath, sha256Hex } from '../protocol/common.js';
import { dataset, datasetVersion } from '../protocol/datasets.js';
import { run } from '../protocol/runs.js';
import { sharingRequest, visibility } from '../protocol/sharing.js';
import { defineCall } from './contract.js';

// The Datasets page. Uploads are sessions kept by the app on disk: the page sends each file's bytes
// in order (base64 pieces, several small files per call), the app stages them, and as each file
// is complete sends it to the platform (through the services agent in the sandbox, straight to S3
// with pre-signed URLs on AWS). A session survives a cancel or an app restart: its status says how
// much of each file arrived, and the page goes on from there.

export const listDatasetsPage = defineCall('datasets:list', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ items: z.array(dataset) }),
});

export const createDatasetCall = defineCall('datasets:create', {
  input: z.object({ name: z.string().trim().min(1, 'must not be empty').max(100), description: z.string().max(2000).default(''), visibility: visibility.default('private') }).strict(),
  output: dataset,
});

export const getDatasetCall = defineCall('datasets:get', { input: z.object({ id }).strict(), output: dataset });

export const listDatasetVersions = defineCall('datasets:list-versions', {
  input: z.object({ id }).strict(),
  output: z.object({ items: z.array(datasetVersion.omit({ files: true })) }),
});

export const getDatasetVersion = defineCall('datasets:get-version', { input: z.object({ id, version: sha256Hex }).strict(), output: datasetVersion });

export const shareDataset = defineCall('datasets:share', { input: sharingRequest.extend({ id }).strict(), output: dataset });

/** Runs that mounted this dataset (one version, or any), among the platform's latest runs. */
export const runsUsingDataset = defineCall('datasets:runs-using', {
  input: z.object({ id, version: sha256Hex.optional() }).strict(),
  output: z.object({ items: z.array(run), searched: z.number().int() }),
});

export const uploadFile = z.object({ path: relativePath, size: z.number().int().min(0).max(5 * 1024 ** 4) });

export const uploadFileState = z.object({
  path: z.string(),
  size: z.number().int(),
  /** Bytes the app holds (staged, or sent when `sent`). */
  received: z.number().int(),
  /** On the platform (verified there); its sha256. */
  sent: z.boolean(),
  sha256: sha256Hex.nullable(),
});

export const uploadSession = z.object({
  sessionId: z.string(),
  platformId: z.string(),
  datasetId: id,
  datasetName: z.string(),
  message: z.string(),
  createdAt: z.string(),
  files: z.array(uploadFileState),
});
export type UploadSession = z.infer<typeof uploadSession>;

export const beginUpload = defineCall('datasets:upload-begin', {
  input: z.object({ datasetId: id, message: z.string().max(2000).default(''), files: z.array(uploadFile).min(1, 'choose at least one file').max(100_000) }).strict(),
  output: uploadSession,
});

/** Up to 8 MiB of base64 per call, so a call stays small whatever the transport. */
export const MAX_UPLOAD_PIECES_BYTES = 8 * 1024 * 1024;

export const sendUploadPieces = defineCall('datasets:upload-pieces', {
  input: z
    .object({
      sessionId: z.string().regex(/^[a-f0-9]{32}$/),
      pieces: z.array(z.object({ index: z.number().int().min(0), offset: z.number().int().min(0), data: z.string().max(MAX_UPLOAD_PIECES_BYTES) }).strict()).min(1).max(1000),
    })
    .strict(),
  /** Per piece's file: what the app now holds of it, and whether it is on the platform. */
  output: z.object({ files: z.array(z.object({ index: z.number().int(), received: z.number().int(), sent: z.boolean() })) }),
});

export const uploadStatus = defineCall('datasets:upload-status', { input: z.object({ sessionId: z.string() }).strict(), output: uploadSession });

export const listUploads = defineCall('datasets:list-uploads', { input: z.void().or(z.object({}).strict()), output: z.object({ items: z.array(uploadSession) }) });

/** Seals the version once every file is on the platform. */
export const finishUpload = defineCall('datasets:upload-finish', { input: z.object({ sessionId: z.string() }).strict(), output: datasetVersion });

/** Drops a session and what the app staged for it (files already on the platform stay there, unreferenced). */
export const discardUpload = defineCall('datasets:upload-discard', { input: z.object({ sessionId: z.string() }).strict(), output: z.object({ discarded: z.boolean() }) });

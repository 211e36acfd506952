import type { UploadSession } from '../../../common/api/datasets.contract.js';

/** One piece of a file: its bytes from `offset`, base64. */
export interface Piece {
  index: number;
  offset: number;
  data: string;
}

export type SendPieces = (pieces: Piece[]) => Promise<{ files: Array<{ index: number; received: number; sent: boolean }> }>;

export interface FileProgress {
  path: string;
  size: number;
  received: number;
  sent: boolean;
}

/** Raw bytes per call (base64 makes them 4/3 larger; the call takes 8 MiB). */
export const BATCH_BYTES = 4 * 1024 * 1024;
const MAX_PIECES = 200;

function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Per-file progress of a session as the app reports it. */
export function progressOf(session: UploadSession): FileProgress[] {
  return session.files.map((f) => ({ path: f.path, size: f.size, received: f.received, sent: f.sent }));
}

/**
 * Sends what the app does not hold yet of each file, in order, batching small files (up to 4 MiB
 * and 200 pieces a call) and cutting large ones into 4 MiB pieces. Stops between calls when
 * `signal` is aborted; what was acknowledged stays, so a later run goes on from there.
 * `files[i]` must be the file of the session's entry i.
 */
export async function sendMissing(files: readonly Blob[], progress: FileProgress[], send: SendPieces, onProgress: (p: FileProgress[]) => void, signal: AbortSignal): Promise<'done' | 'stopped'> {
  let batch: Piece[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const answer = await send(batch);
    for (const f of answer.files) Object.assign(progress[f.index]!, { received: f.received, sent: f.sent });
    onProgress(progress.map((p) => ({ ...p })));
    batch = [];
    batchBytes = 0;
  };
  for (let index = 0; index < progress.length; index++) {
    const file = progress[index]!;
    if (file.sent) continue;
    const blob = files[index]!;
    if (blob.size !== file.size) throw new Error(`${file.path} has ${blob.size} bytes now, not the ${file.size} it had when the upload began; start a new upload`);
    // An empty file still needs one (empty) piece to be sent to the platform.
    let offset = file.received;
    do {
      if (signal.aborted) return 'stopped';
      const end = Math.min(file.size, offset + BATCH_BYTES - batchBytes);
      batch.push({ index, offset, data: encodeBase64(new Uint8Array(await blob.slice(offset, end).arrayBuffer())) });
      batchBytes += end - offset;
      offset = end;
      if (batchBytes >= BATCH_BYTES || batch.length >= MAX_PIECES) await flush();
    } while (offset < file.size);
  }
  if (signal.aborted) return 'stopped';
  await flush();
  // A cancel pressed while the last call was on its way stops before the version is sealed.
  return signal.aborted ? 'stopped' : 'done';
}

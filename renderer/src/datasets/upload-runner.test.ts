import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, sendMissing, type FileProgress, type Piece } from './upload-runner.js';

function fakeApp(sizes: number[]) {
  const held = sizes.map(() => 0);
  const calls: Piece[][] = [];
  const send = async (pieces: Piece[]) => {
    calls.push(pieces);
    for (const p of pieces) {
      expect(p.offset).toBe(held[p.index]);
      held[p.index]! += atob(p.data).length;
    }
    return { files: pieces.map((p) => ({ index: p.index, received: held[p.index]!, sent: held[p.index] === sizes[p.index] })) };
  };
  return { held, calls, send };
}

const progressFor = (sizes: number[]): FileProgress[] => sizes.map((size, i) => ({ path: `f${i}`, size, received: 0, sent: false }));

describe('sending an upload in pieces', () => {
  it('batches small files, cuts large ones, and reports progress after every call', async () => {
    const sizes = [10, 0, BATCH_BYTES + 5, 3];
    const blobs = sizes.map((s) => new Blob([new Uint8Array(s).fill(1)]));
    const app = fakeApp(sizes);
    const seen: number[] = [];
    const outcome = await sendMissing(blobs, progressFor(sizes), app.send, (p) => seen.push(p.reduce((s, f) => s + f.received, 0)), new AbortController().signal);
    expect(outcome).toBe('done');
    expect(app.held).toEqual(sizes);
    expect(app.calls.map((c) => c.map((p) => p.index))).toEqual([[0, 1, 2], [2, 3]]);
    expect(seen).toEqual([BATCH_BYTES, sizes.reduce((a, b) => a + b)]);
  });

  it('stops between calls when cancelled and goes on from what was acknowledged', async () => {
    const sizes = [BATCH_BYTES, BATCH_BYTES, 7];
    const blobs = sizes.map((s) => new Blob([new Uint8Array(s)]));
    const app = fakeApp(sizes);
    const stop = new AbortController();
    const progress = progressFor(sizes);
    expect(await sendMissing(blobs, progress, async (pieces) => (stop.abort(), app.send(pieces)), () => undefined, stop.signal)).toBe('stopped');
    expect(app.held).toEqual([BATCH_BYTES, 0, 0]);
    expect(await sendMissing(blobs, progress, app.send, () => undefined, new AbortController().signal)).toBe('done');
    expect(app.held).toEqual(sizes);
  });

  it('refuses a file that changed size since the upload began', async () => {
    const app = fakeApp([5]);
    await expect(sendMissing([new Blob(['abc'])], progressFor([5]), app.send, () => undefined, new AbortController().signal)).rejects.toThrow(/has 3 bytes now/);
  });
});

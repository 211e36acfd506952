import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformClient } from '../../../lib/protocol/client.js';
import { sendBlob } from './send-blob.js';

// The app's half of a pre-signed upload: each part PUT to its URL (a stand-in for S3 on
// 127.0.0.1 here), its ETag collected, then the upload completed with the parts in order.

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let server: Server;
let base: string;
const received = new Map<string, Buffer>();
let refuse = false;
const dir = mkdtempSync(path.join(tmpdir(), 'bt-send-blob-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (refuse) {
        res.writeHead(403).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
        return;
      }
      const body = Buffer.concat(chunks);
      received.set(req.url!, body);
      res.writeHead(200, { etag: `"${sha(body).slice(0, 8)}"` }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function presignedClient(partSize: number, parts: number, completed: unknown[]): PlatformClient {
  return {
    startUpload: async () => ({ mode: 'presigned', uploadId: 'up', partSize, expiresAt: '', parts: Array.from({ length: parts }, (_, i) => ({ partNumber: i + 1, url: `${base}/part-${i + 1}?sig=x` })) }),
    completeUpload: async (_id: string, body: unknown) => (completed.push(body), { sha256: '', size: 0 }),
  } as unknown as PlatformClient;
}

describe('sendBlob to pre-signed part URLs', () => {
  it('sends each part of the file to its URL and completes with the ETags', async () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    const file = path.join(dir, 'f');
    writeFileSync(file, bytes);
    const completed: unknown[] = [];
    expect(await sendBlob(presignedClient(8, 3, completed), 'dst_0000000000', file, bytes.length)).toBe(sha(bytes));
    expect([...received.values()].map(String)).toEqual(['01234567', '89abcdef', 'ghij']);
    expect(completed).toEqual([{ uploadId: 'up', sha256: sha(bytes), size: 20, parts: [1, 2, 3].map((n) => ({ partNumber: n, etag: `"${sha(received.get(`/part-${n}?sig=x`)!).slice(0, 8)}"` })) }]);
  });

  it('says which part S3 refused and does not complete', async () => {
    refuse = true;
    const file = path.join(dir, 'g');
    writeFileSync(file, 'abc');
    const completed: unknown[] = [];
    await expect(sendBlob(presignedClient(8, 1, completed), 'dst_0000000000', file, 3)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('part 1') });
    expect(completed).toEqual([]);
    refuse = false;
  });
});

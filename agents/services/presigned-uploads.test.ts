import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClient } from '../../lib/protocol/client.js';
import { MIN_PART_BYTES } from './direct-uploads.js';
import { S3ObjectStore } from './s3-object-store.js';
import { startHarness, type Harness } from './testing/harness.js';

// Dataset files on AWS go straight to S3: the services agent hands out pre-signed part URLs, then
// completes the multipart upload and checks size and sha256 before the blob may be used.

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const s3 = mockClient(S3Client);
let h: Harness;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bt-presigned-'));
  const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  h = await startHarness({ objectStore: new S3ObjectStore(client, 'lab-data', 'svc', tmp) });
});
afterAll(async () => {
  await h.close();
  await rm(tmp, { recursive: true, force: true });
  s3.restore();
});
afterEach(() => s3.reset());

describe('pre-signed multipart dataset uploads (S3 mocked)', () => {
  it('issues signed part URLs, completes the upload, verifies it, and seals a version with it', async () => {
    const bytes = Buffer.alloc(MIN_PART_BYTES + 1000, 7);
    const digest = sha(bytes);
    const ds = await h.researcher.createDataset({ name: 'big' });
    // Each dataset's uploads land under its own key: completing one never writes over bytes another dataset uses.
    const key = `svc/datasets/uploads/${ds.id}/${digest}`;
    s3.on(CreateMultipartUploadCommand, { Bucket: 'lab-data', Key: key }).resolves({ UploadId: 'up-1' });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(HeadObjectCommand, { Key: key }).resolves({ ContentLength: bytes.length });
    s3.on(GetObjectCommand, { Key: key }).callsFake(() => ({ Body: Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]) }));

    const start = await h.researcher.startUpload(ds.id, { sha256: digest, size: bytes.length });
    expect(start.mode).toBe('presigned');
    if (start.mode !== 'presigned') return;
    expect(start.partSize).toBe(MIN_PART_BYTES);
    expect(start.parts.map((p) => p.partNumber)).toEqual([1, 2]);
    const url = new URL(start.parts[1]!.url);
    expect(`${url.host}${url.pathname}`).toBe(`lab-data.s3.eu-west-1.amazonaws.com/${key}`);
    expect(Object.fromEntries(['partNumber', 'uploadId', 'X-Amz-Algorithm', 'X-Amz-SignedHeaders'].map((k) => [k, url.searchParams.get(k)]))).toEqual({
      partNumber: '2', uploadId: 'up-1', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-SignedHeaders': 'host',
    });
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ ServerSideEncryption: 'AES256' });

    await expect(h.researcher.createVersion(ds.id, { files: [{ path: 'big.bin', size: bytes.length, sha256: digest }] })).rejects.toMatchObject({ status: 400 });
    const blob = await h.researcher.completeUpload(ds.id, { uploadId: 'up-1', sha256: digest, size: bytes.length, parts: [{ partNumber: 2, etag: '"b"' }, { partNumber: 1, etag: '"a"' }] });
    expect(blob).toEqual({ sha256: digest, size: bytes.length });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload?.Parts).toEqual([{ PartNumber: 1, ETag: '"a"' }, { PartNumber: 2, ETag: '"b"' }]);
    const version = await h.researcher.createVersion(ds.id, { files: [{ path: 'big.bin', size: bytes.length, sha256: digest }] });
    expect(version.size).toBe(bytes.length);
    // Known now: a second upload of the same bytes sends nothing.
    expect(await h.researcher.startUpload(ds.id, { sha256: digest, size: bytes.length })).toEqual({ mode: 'exists', sha256: digest, size: bytes.length });
  });

  it('refuses and deletes an upload whose bytes do not match, so no version can use it', async () => {
    const claimed = sha('what the client said');
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5 });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('other')]) }));
    s3.on(DeleteObjectCommand).resolves({});
    const ds = await h.researcher.createDataset({ name: 'bad' });
    const err = await h.researcher.completeUpload(ds.id, { uploadId: 'up-2', sha256: claimed, size: 5, parts: [{ partNumber: 1, etag: '"x"' }] }).catch((e: Error) => e);
    expect(err).toMatchObject({ status: 400, message: expect.stringContaining(`not ${claimed}`) });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
    await expect(h.researcher.createVersion(ds.id, { files: [{ path: 'x', size: 5, sha256: claimed }] })).rejects.toMatchObject({ status: 400 });

    s3.on(HeadObjectCommand).resolves({ ContentLength: 4 });
    await expect(h.researcher.completeUpload(ds.id, { uploadId: 'up-3', sha256: claimed, size: 5, parts: [{ partNumber: 1, etag: '"x"' }] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('4 bytes, not 5') });
  });

  it('leaves a blob already kept alone when a second upload of the same file completes (a bad one would delete it)', async () => {
    const bytes = Buffer.from('kept once');
    const digest = sha(bytes);
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: bytes.length });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([bytes]) }));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const ds = await h.researcher.createDataset({ name: 'twice' });
    await h.researcher.completeUpload(ds.id, { uploadId: 'first', sha256: digest, size: bytes.length, parts: [{ partNumber: 1, etag: '"a"' }] });
    s3.reset();
    // The second client's parts are damaged: completing them would overwrite the kept object, then delete it.
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: 3 });
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(AbortMultipartUploadCommand).resolves({});
    expect(await h.researcher.completeUpload(ds.id, { uploadId: 'second', sha256: digest, size: bytes.length, parts: [{ partNumber: 1, etag: '"b"' }] })).toEqual({ sha256: digest, size: bytes.length });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ UploadId: 'second' });
  });

  it('has someone who cannot read the dataset holding a file send its bytes, checks them under their own dataset, then keeps one copy', async () => {
    const bytes = Buffer.from('held by a private dataset');
    const digest = sha(bytes);
    const owners = await h.researcher.createDataset({ name: 'private' });
    const ownersKey = `svc/datasets/uploads/${owners.id}/${digest}`;
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: bytes.length });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([bytes]) }));
    await h.researcher.completeUpload(owners.id, { uploadId: 'owner', sha256: digest, size: bytes.length, parts: [{ partNumber: 1, etag: '"a"' }] });
    await h.researcher.createVersion(owners.id, { files: [{ path: 'f.txt', size: bytes.length, sha256: digest }] });
    s3.reset();

    const user = await h.admin.createUser({ name: 'stranger', role: 'researcher' });
    const stranger = createPlatformClient({ url: h.running.url, token: (await h.admin.createToken(user.id, 'laptop')).token });
    const theirs = await stranger.createDataset({ name: 'guess' });
    const theirKey = `svc/datasets/uploads/${theirs.id}/${digest}`;
    s3.on(CreateMultipartUploadCommand, { Key: theirKey }).resolves({ UploadId: 'stranger' });
    const start = await stranger.startUpload(theirs.id, { sha256: digest, size: bytes.length });
    expect(start.mode).toBe('presigned');
    if (start.mode !== 'presigned') return;
    expect(new URL(start.parts[0]!.url).pathname).toBe(`/${theirKey}`);

    // Damaged bytes: checked and deleted under their key; the owner's object is never written or deleted.
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({ ContentLength: bytes.length });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('x'.repeat(bytes.length))]) }));
    s3.on(DeleteObjectCommand).resolves({});
    await expect(stranger.completeUpload(theirs.id, { uploadId: 'stranger', sha256: digest, size: bytes.length, parts: [{ partNumber: 1, etag: '"b"' }] })).rejects.toMatchObject({ status: 400 });
    // The real bytes: checked under their key, then that copy is dropped (the owner's is the one kept).
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([bytes]) }));
    expect(await stranger.completeUpload(theirs.id, { uploadId: 'stranger-2', sha256: digest, size: bytes.length, parts: [{ partNumber: 1, etag: '"c"' }] })).toEqual({ sha256: digest, size: bytes.length });
    expect(s3.commandCalls(CompleteMultipartUploadCommand).map((c) => c.args[0].input.Key)).toEqual([theirKey, theirKey]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual([theirKey, theirKey]);
    const { version } = await stranger.createVersion(theirs.id, { files: [{ path: 'mine.txt', size: bytes.length, sha256: digest }] });
    s3.reset();
    s3.on(GetObjectCommand, { Key: ownersKey }).callsFake(() => ({ Body: Readable.from([bytes]) }));
    expect(await (await stranger.datasetFile(theirs.id, version, 'mine.txt')).text()).toBe(bytes.toString());
  });

  it('says when S3 no longer knows the upload', async () => {
    s3.on(CompleteMultipartUploadCommand).rejects(Object.assign(new Error('The specified upload does not exist.'), { name: 'NoSuchUpload' }));
    const ds = await h.researcher.createDataset({ name: 'gone' });
    await expect(h.researcher.completeUpload(ds.id, { uploadId: 'old', sha256: sha('x'), size: 1, parts: [{ partNumber: 1, etag: '"x"' }] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('NoSuchUpload') });
  });
});

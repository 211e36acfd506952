import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { isVirtualHostableBucket, presignUrl, s3ObjectUrl } from './s3-presign.js';

describe('pre-signed S3 URLs (SigV4 query parameters)', () => {
  it('matches the example in the S3 documentation', () => {
    // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", the GET example.
    const url = presignUrl({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      expiresInSeconds: 86400,
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('signs the part number, upload id and session token, and encodes the key once', () => {
    const url = new URL(presignUrl({
      method: 'PUT',
      url: new URL('http://127.0.0.1:4566/bucket/datasets/blobs/ab/a%20b?partNumber=2&uploadId=x~y/z'),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'tok/en+' },
      expiresInSeconds: 3600,
      now: new Date('2026-12-01T10:00:00Z'),
    }));
    expect(url.pathname).toBe('/bucket/datasets/blobs/ab/a%20b');
    expect(url.searchParams.get('partNumber')).toBe('2');
    expect(url.searchParams.get('uploadId')).toBe('x~y/z');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('tok/en+');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('S3 object addresses', () => {
  it('addresses a bucket with dots path-style (the wildcard certificate matches one label), others by their own host', () => {
    expect(s3ObjectUrl({ bucket: 'lab-results', key: 'datasets/blobs/ab/a b', region: 'eu-west-1' }).href).toBe('https://lab-results.s3.eu-west-1.amazonaws.com/datasets/blobs/ab/a%20b');
    expect(s3ObjectUrl({ bucket: 'results.lab.example.org', key: 'datasets/x', region: 'eu-west-1' }).href).toBe('https://s3.eu-west-1.amazonaws.com/results.lab.example.org/datasets/x');
    expect(s3ObjectUrl({ bucket: 'lab-results', key: 'x', region: 'eu-west-1', forcePathStyle: true }).href).toBe('https://s3.eu-west-1.amazonaws.com/lab-results/x');
    expect(s3ObjectUrl({ bucket: 'lab-results', key: 'x', region: 'cn-north-1' }).href).toBe('https://lab-results.s3.cn-north-1.amazonaws.com.cn/x');
    // A custom endpoint stays path-style, dots or not, under its own path.
    expect(s3ObjectUrl({ bucket: 'lab-results', key: 'x', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566/' }).href).toBe('http://127.0.0.1:4566/lab-results/x');
    expect(s3ObjectUrl({ bucket: 'a.b.c', key: 'x', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566/s3' }).href).toBe('http://127.0.0.1:4566/s3/a.b.c/x');
    expect(['lab-results', 'abc', 'a.b', 'Lab', 'lab_results', '-lab', 'lab-', 'ab', 'a'.repeat(64)].map(isVirtualHostableBucket)).toEqual([true, true, false, false, false, false, false, false, false]);
  });

  it('puts each object where the AWS SDK itself sends it', async () => {
    const sdkAddress = async (bucket: string, config: { forcePathStyle?: boolean } = {}) => {
      const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, ...config });
      let seen = '';
      client.middlewareStack.add(
        () => async (args) => {
          const r = args.request as { protocol: string; hostname: string; path: string };
          seen = `${r.protocol}//${r.hostname}${r.path}`;
          throw new Error('stop before sending');
        },
        { step: 'finalizeRequest', priority: 'low' },
      );
      await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'datasets/blobs/ab/one', PartNumber: 1, UploadId: 'u', Body: '' })).catch(() => undefined);
      return seen;
    };
    for (const bucket of ['lab-results', 'results.lab.example.org']) {
      expect(s3ObjectUrl({ bucket, key: 'datasets/blobs/ab/one', region: 'eu-west-1' }).href).toBe(await sdkAddress(bucket));
    }
    expect(s3ObjectUrl({ bucket: 'lab-results', key: 'datasets/blobs/ab/one', region: 'eu-west-1', forcePathStyle: true }).href).toBe(await sdkAddress('lab-results', { forcePathStyle: true }));
  });

  it('signs both address styles as @smithy/signature-v4 does (the canonical URI is the bucket and key path-style, the key alone by host)', async () => {
    const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+1' };
    const now = new Date('2026-12-01T10:00:00Z');
    const signer = new SignatureV4({ service: 's3', region: 'eu-west-1', credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
    for (const bucket of ['lab-results', 'results.lab.example.org']) {
      const url = s3ObjectUrl({ bucket, key: "datasets/blobs/ab/a b(1)'!*~", region: 'eu-west-1' });
      url.searchParams.set('partNumber', '3');
      url.searchParams.set('uploadId', 'abc~def/ghi');
      const ours = new URL(presignUrl({ method: 'PUT', url, region: 'eu-west-1', credentials, expiresInSeconds: 3600, now }));
      const theirs = await signer.presign(
        {
          method: 'PUT',
          protocol: url.protocol,
          hostname: url.hostname,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          // S3 pre-signed uploads carry UNSIGNED-PAYLOAD as the payload hash, not as a header or query parameter.
          headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        { signingDate: now, expiresIn: 3600, unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']) },
      );
      expect(ours.host).toBe(theirs.hostname);
      expect(ours.pathname).toBe(theirs.path);
      expect(Object.fromEntries(ours.searchParams)).toEqual(theirs.query);
    }
  });
});

/** The hash @smithy/signature-v4 takes (an HMAC when given a secret), from node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(ArrayBuffer.isView(secret) ? secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength) : secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

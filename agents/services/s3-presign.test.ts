import { describe, expect, it } from 'vitest';
import { presignUrl } from './s3-presign.js';

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

import { createHash, createHmac } from 'node:crypto';

export interface PresignCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PresignInput {
  method: 'GET' | 'PUT';
  /** The object's URL, with any request parameters (partNumber, uploadId) in its query. */
  url: URL;
  region: string;
  credentials: PresignCredentials;
  expiresInSeconds: number;
  now: Date;
}

/** Where an S3 object is: the bucket, the key, and how the client reaches S3. */
export interface S3ObjectAddress {
  bucket: string;
  key: string;
  region: string;
  /** A custom endpoint (AWS_ENDPOINT_URL: an emulator, a gateway), always addressed path-style. */
  endpoint?: string;
  /** The client's forcePathStyle. */
  forcePathStyle?: boolean;
}

/**
 * Whether a bucket can be its own host name under S3's TLS certificate: one DNS label (3–63
 * lowercase letters, digits and hyphens, not starting or ending with a hyphen, not an IP address).
 * The wildcard `*.s3.<region>.amazonaws.com` matches one label only, so a bucket with dots fails
 * TLS as a host ("Virtual hosting of general purpose buckets"); the AWS SDK then addresses it
 * path-style (`aws.isVirtualHostableS3Bucket(bucket, false)` in its S3 endpoint rules).
 */
export function isVirtualHostableBucket(bucket: string): boolean {
  // One label has no dots, so it cannot be an IPv4 address either.
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
}

/**
 * The object's URL as the AWS SDK would address it: path-style against a custom endpoint, when the
 * client forces it or when the bucket cannot be a host name (dots); otherwise the bucket's own
 * host. Each key segment is encoded once; S3 signs the path as sent.
 */
export function s3ObjectUrl(a: S3ObjectAddress): URL {
  const key = a.key.split('/').map(rfc3986).join('/');
  if (a.endpoint) return new URL(`${a.endpoint.replace(/\/+$/, '')}/${a.bucket}/${key}`);
  const domain = a.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  if (a.forcePathStyle || !isVirtualHostableBucket(a.bucket)) return new URL(`https://s3.${a.region}.${domain}/${a.bucket}/${key}`);
  return new URL(`https://${a.bucket}.s3.${a.region}.${domain}/${key}`);
}

// RFC 3986 unreserved characters stay; everything else is percent-encoded, as SigV4 requires
// (encodeURIComponent leaves !'()* alone, which SigV4 encodes).
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * A pre-signed URL (AWS Signature Version 4, query parameters, unsigned payload), as S3 documents
 * it in "Authenticating Requests: Using Query Parameters". The caller sends the request to it
 * with no credentials of its own; only the host header is signed, so any body may follow.
 */
export function presignUrl(input: PresignInput): string {
  const amzDate = input.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const params = new Map<string, string>();
  for (const [k, v] of input.url.searchParams) params.set(k, v);
  params.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  params.set('X-Amz-Credential', `${input.credentials.accessKeyId}/${scope}`);
  params.set('X-Amz-Date', amzDate);
  params.set('X-Amz-Expires', String(input.expiresInSeconds));
  params.set('X-Amz-SignedHeaders', 'host');
  if (input.credentials.sessionToken) params.set('X-Amz-Security-Token', input.credentials.sessionToken);
  const query = [...params]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // S3 signs the path as sent, each segment encoded once (the URL parser already encoded it).
  const path = input.url.pathname
    .split('/')
    .map((segment) => rfc3986(decodeURIComponent(segment)))
    .join('/');
  const canonical = [input.method, path || '/', query, `host:${input.url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return `${input.url.protocol}//${input.url.host}${path || '/'}?${query}&X-Amz-Signature=${signature}`;
}

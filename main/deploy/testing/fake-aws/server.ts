import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CloudFormationOptions, FakeCloudFormation, type SimStack } from './cloudformation.js';
import { FakeInstanceServices } from './instance-services.js';
import { FakeObserve } from './observe.js';
import { AwsFault, decodeAwsChunked, ec2Error, ec2Response, queryError, queryResponse, readBody, sendJson, sendXml, serviceOf, toXml } from './wire.js';

// A scripted AWS on loopback, reached through AWS_ENDPOINT_URL: the handful of STS, EC2, ACM,
// Service Quotas, S3 and CloudFormation calls the deploy engine makes, and the SSM, CloudWatch and
// CloudWatch Logs calls the agents make, on their real wire protocols, so the CLI, the app and the
// agents run unchanged against it (tests and the e2e wizard).

export interface FakeAwsOptions extends Partial<Omit<CloudFormationOptions, 'readUrl' | 'outputValue'>> {
  account?: string;
  region?: string;
  zones?: string[];
  certificates?: { arn: string; domainName: string; status: string }[];
  gpuQuotaVcpus?: number;
  /** Service Quotas answers 501 (an emulator without it). */
  quotasUnsupported?: boolean;
  /** Stack output values by key, instead of the simulated ones (the e2e points Url at a local sandbox). */
  outputs?: Record<string, string>;
}

export interface FakeAws {
  url: string;
  cfn: FakeCloudFormation;
  /** SSM parameters, published metrics and log events the agents sent. */
  instance: FakeInstanceServices;
  /** Metrics, alarms, log reads and the alarm topic the app's Observe pages use (observe.ts). */
  observe: FakeObserve;
  /** Makes a bucket exist (the stack's buckets exist once it created them). */
  createBucket(name: string): void;
  objects: Map<string, { body: Buffer; meta: Record<string, string> }>;
  /** Every call, as "service:Action", for assertions. */
  calls: string[];
  close(): Promise<void>;
}

export const PUBLIC_IMAGE_PARAMETERS: Record<string, string> = {
  '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64': 'ami-0a1a1a1a1a1a1a1a1',
  '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64': 'ami-0b2b2b2b2b2b2b2b2',
  '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id': 'ami-0c3c3c3c3c3c3c3c3',
};

const INSTANCE_VCPUS: Record<string, number> = { 'g4dn.xlarge': 4, 'g4dn.2xlarge': 8, 'g5.xlarge': 4, 'g5.2xlarge': 8, 'g6.xlarge': 4, 'g6.2xlarge': 8 };

export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const account = options.account ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const zones = options.zones ?? [`${region}a`, `${region}b`, `${region}c`];
  const objects = new Map<string, { body: Buffer; meta: Record<string, string> }>();
  const buckets = new Set<string>();
  const calls: string[] = [];
  const instance = new FakeInstanceServices((service, resource) => `arn:aws:${service}:${region}:${account}:${resource}`);
  const observe = new FakeObserve(instance);
  // AWS's public image parameters, which the deploy engine resolves when it plans; a test moves
  // one to a new id to stand for an Amazon Linux release.
  for (const [name, value] of Object.entries(PUBLIC_IMAGE_PARAMETERS)) instance.parameters.set(name, { name, type: 'String', value, version: 1 });

  const cfn = new FakeCloudFormation({
    stepsPerPoll: options.stepsPerPoll ?? 6,
    stackEventsOnly: options.stackEventsOnly ?? false,
    noChanges: options.noChanges ?? 'failed-change-set',
    ...(options.failResource ? { failResource: options.failResource } : {}),
    readUrl: (u) => objects.get(new URL(u).pathname.slice(1))?.body,
    outputValue: (s: SimStack, key: string) => {
      const given = options.outputs?.[key];
      if (given !== undefined) return given;
      if (key === 'ArtifactsBucketName') {
        const bucket = `${s.name}-artifacts-${account}`;
        buckets.add(bucket);
        return bucket;
      }
      if (key === 'StackVersion') return s.params.AgentBundleVersion ?? '0.0.0';
      if (key === 'TokenParameterPrefix') return `/benchtop/${s.name}/`;
      if (key === 'Url') return `https://${s.params.DomainName || `${s.name}.example.test`}`;
      return `${s.name}-${key}`;
    },
  });

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => route(request, response, body))
      .catch((e: unknown) => {
        if (!response.headersSent) sendXml(response, 500, `<Error><Code>InternalError</Code><Message>${String(e)}</Message></Error>`);
      });
  });

  function route(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    const service = serviceOf(request);
    if (service === 's3') return s3(request, response, body);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') return json(service, target.split('.')[1] ?? '', JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>, response);
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? '';
    calls.push(`${service}:${action}`);
    try {
      if (service === 'sts') {
        if (action !== 'GetCallerIdentity') throw new AwsFault('InvalidAction', `The fake STS does not implement ${action}.`);
        return queryResponse(response, action, 'https://sts.amazonaws.com/doc/2011-06-15/', { Account: account, Arn: `arn:aws:iam::${account}:user/admin`, UserId: 'AIDAFAKE' });
      }
      if (service === 'cloudformation') return cfn.handle(action, form, response);
      if (service === 'ec2') return ec2(action, form, response);
      if (service === 'sns') return observe.sns(action, form, response);
      throw new AwsFault('UnknownOperationException', `The fake AWS does not speak ${service || 'this service'}.`, 501);
    } catch (e) {
      const fault = e instanceof AwsFault ? e : new AwsFault('InternalFailure', String(e), 500);
      if (service === 'ec2') return ec2Error(response, fault);
      // Services on REST-JSON (EFS, AWS Backup…) read their errors as JSON, not the query protocol's XML.
      if (service === 'elasticfilesystem' || service === 'backup') return sendJson(response, fault.status, { __type: fault.code, message: fault.message });
      return queryError(response, fault);
    }
  }

  function ec2(action: string, form: URLSearchParams, response: ServerResponse): void {
    switch (action) {
      case 'DescribeRegions':
        return ec2Response(response, action, { regionInfo: [{ regionName: region, regionEndpoint: `ec2.${region}.amazonaws.com`, optInStatus: 'opt-in-not-required' }] });
      case 'DescribeAvailabilityZones':
        return ec2Response(response, action, { availabilityZoneInfo: zones.map((zoneName) => ({ zoneName, zoneState: 'available', zoneType: 'availability-zone', regionName: region })) });
      case 'DescribeInstanceTypeOfferings': {
        const types: string[] = [];
        for (let i = 1; form.has(`Filter.1.Value.${i}`); i++) types.push(form.get(`Filter.1.Value.${i}`)!);
        return ec2Response(response, action, { instanceTypeOfferingSet: types.flatMap((instanceType) => zones.map((location) => ({ instanceType, locationType: 'availability-zone', location }))) });
      }
      case 'DescribeInstanceTypes': {
        const type = form.get('InstanceType.1') ?? '';
        return ec2Response(response, action, { instanceTypeSet: [{ instanceType: type, vCpuInfo: { defaultVCpus: INSTANCE_VCPUS[type] ?? 2 } }] });
      }
      case 'DescribeVpcs':
        return ec2Response(response, action, { vpcSet: [{ vpcId: 'vpc-0default0000000', cidrBlock: '172.31.0.0/16', isDefault: true }] });
      case 'GetEbsDefaultKmsKeyId':
        return ec2Response(response, action, { kmsKeyId: `arn:aws:kms:${region}:${account}:alias/aws/ebs` });
      case 'DescribeSubnets':
      case 'DescribeRouteTables':
        return ec2Response(response, action, { [action === 'DescribeSubnets' ? 'subnetSet' : 'routeTableSet']: [] });
      default:
        throw new AwsFault('InvalidAction', `The fake EC2 does not implement ${action}.`);
    }
  }

  function json(service: string, operation: string, input: Record<string, unknown>, response: ServerResponse): void {
    calls.push(`${service}:${operation}`);
    const answer = instance.handle(service, operation, input);
    if (answer) return sendJson(response, answer.status, answer.body);
    const observed = observe.handle(service, operation, input);
    if (observed) return sendJson(response, observed.status, observed.body);
    const certs = options.certificates ?? [];
    if (service === 'acm' && operation === 'ListCertificates') {
      return sendJson(response, 200, { CertificateSummaryList: certs.map((c) => ({ CertificateArn: c.arn, DomainName: c.domainName, Status: c.status, InUse: false })) });
    }
    if (service === 'acm' && operation === 'DescribeCertificate') {
      const c = certs.find((x) => x.arn === input.CertificateArn);
      if (!c) return sendJson(response, 400, { __type: 'ResourceNotFoundException', message: `Could not find certificate ${String(input.CertificateArn)}.` });
      return sendJson(response, 200, { Certificate: { CertificateArn: c.arn, DomainName: c.domainName, Status: c.status, SubjectAlternativeNames: [c.domainName] } });
    }
    if (service === 'servicequotas' && operation === 'GetServiceQuota') {
      if (options.quotasUnsupported) return sendJson(response, 501, { __type: 'NotImplementedException', message: 'Service Quotas is not implemented by this endpoint.' });
      return sendJson(response, 200, { Quota: { ServiceCode: 'ec2', QuotaCode: input.QuotaCode, Value: options.gpuQuotaVcpus ?? 8 } });
    }
    return sendJson(response, 501, { __type: 'UnknownOperationException', message: `The fake AWS does not implement ${service}:${operation}.` });
  }

  function s3(request: IncomingMessage, response: ServerResponse, raw: Buffer): void {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).slice(1);
    const [bucket = '', ...rest] = path.split('/');
    const key = rest.join('/');
    calls.push(`s3:${request.method} ${key ? 'object' : 'bucket'}`);
    const notFound = (code: string) => {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end(request.method === 'HEAD' ? undefined : `<Error><Code>${code}</Code><Message>Not found</Message></Error>`);
    };
    if (!buckets.has(bucket)) return notFound('NoSuchBucket');
    const id = `${bucket}/${key}`;
    if (request.method === 'PUT' && key) {
      const body = request.headers['x-amz-decoded-content-length'] !== undefined ? decodeAwsChunked(raw) : raw;
      const meta: Record<string, string> = {};
      for (const [h, v] of Object.entries(request.headers)) if (h.startsWith('x-amz-meta-') && typeof v === 'string') meta[h.slice(11)] = v;
      objects.set(id, { body, meta });
      response.writeHead(200, { etag: '"fake"' });
      response.end();
      return;
    }
    if (request.method === 'DELETE' && key) {
      // S3 answers 204 whether or not the key existed.
      objects.delete(id);
      response.writeHead(204);
      response.end();
      return;
    }
    const object = objects.get(id);
    if ((request.method === 'HEAD' || request.method === 'GET') && key) {
      if (!object) return notFound('NoSuchKey');
      const headers: Record<string, string | number> = { 'content-length': object.body.length, etag: '"fake"' };
      for (const [k, v] of Object.entries(object.meta)) headers[`x-amz-meta-${k}`] = v;
      response.writeHead(200, headers);
      response.end(request.method === 'GET' ? object.body : undefined);
      return;
    }
    const query = new URL(request.url ?? '/', 'http://x').searchParams;
    if (request.method === 'GET' && !key && query.get('list-type') === '2') {
      // ListObjectsV2: keys in UTF-8 binary order under the prefix, one page (IsTruncated false).
      const prefix = query.get('prefix') ?? '';
      const listed = [...objects.entries()].filter(([k]) => k.startsWith(`${bucket}/${prefix}`)).map(([k, o]) => ({ Key: k.slice(bucket.length + 1), Size: o.body.length, LastModified: new Date(0), ETag: '"fake"' })).sort((a, b) => (a.Key < b.Key ? -1 : 1));
      return sendXml(response, 200, `<ListBucketResult>${toXml({ Name: bucket, Prefix: prefix, KeyCount: listed.length, IsTruncated: false }, 'member')}${listed.map((o) => `<Contents>${toXml(o, 'member')}</Contents>`).join('')}</ListBucketResult>`);
    }
    if (request.method === 'GET' && !key) {
      const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/`)).map((k) => k.slice(bucket.length + 1));
      return sendXml(response, 200, `<ListVersionsResult>${toXml({ Name: bucket, IsTruncated: false }, 'member')}${keys.map((k) => `<Version><Key>${k}</Key><VersionId>null</VersionId></Version>`).join('')}</ListVersionsResult>`);
    }
    response.writeHead(405);
    response.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cfn,
    instance,
    observe,
    createBucket: (name) => buckets.add(name),
    objects,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, expect, it } from 'vitest';
import { bootstrap, contentKey, objectUrl } from './bootstrap.js';
import { createDeployClients } from './deploy-clients.js';
import { stack } from './testing/cfn-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const bundle = new Uint8Array([1, 2, 3]);
const source = { bootstrapTemplate: '{}', platformTemplate: '{"Resources":{}}', agentBundle: async () => bundle, stackVersion: '0.2.0' };

beforeEach(() => {
  cfn.reset();
  s3.reset();
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod-bootstrap', 'CREATE_COMPLETE', { Outputs: [{ OutputKey: 'ArtifactsBucketName', OutputValue: 'lab-prod-artifacts' }] })] });
  cfn.on(CreateChangeSetCommand).rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
  cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: "didn't contain changes" });
});

it('keys the template and the bundle by content, pins the bundle sha256, and uploads only what is missing or changed', async () => {
  const templateKey = contentKey('templates/platform', source.platformTemplate, '.json');
  const sha = createHash('sha256').update(bundle).digest('hex');
  const bundleKey = `agents/0.2.0/benchtop-agent-${sha}.tar.gz`;
  s3.on(HeadObjectCommand).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
  s3.on(HeadObjectCommand, { Key: templateKey }).resolves({});
  s3.on(PutObjectCommand).resolves({});
  const result = await bootstrap(createDeployClients({ region: 'eu-west-1' }), 'lab-prod', source, { pollMs: 0, timeoutMs: 1000 });
  expect(result.skipped).toEqual([templateKey]);
  expect(result.uploaded).toEqual([bundleKey]);
  expect(result).toMatchObject({ bundleKey, bundleSha256: sha });
  expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'lab-prod-artifacts', Key: bundleKey, Metadata: { sha256: sha } });
  expect(result.templateUrl).toMatch(/lab-prod-artifacts/);
  expect(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input).toMatchObject({ StackName: 'lab-prod-bootstrap', TemplateBody: '{}' });

  s3.on(HeadObjectCommand, { Key: bundleKey }).resolves({ Metadata: { sha256: sha } });
  const again = await bootstrap(createDeployClients({ region: 'eu-west-1' }), 'lab-prod', source, { pollMs: 0, timeoutMs: 1000 });
  expect(again.uploaded).toEqual([]);
  expect(again.skipped).toEqual([templateKey, bundleKey]);
});

it('changes the key when the content changes', () => {
  expect(contentKey('t', 'a', '.yaml')).not.toBe(contentKey('t', 'b', '.yaml'));
  expect(contentKey('t', 'a', '.yaml')).toBe(contentKey('t', 'a', '.yaml'));
});

it('points TemplateURL at the endpoint in use, path-style', () => {
  expect(objectUrl('b', 'k.yaml', 'eu-west-1', 'http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566/b/k.yaml');
  expect(objectUrl('b', 'k.yaml', 'eu-west-1', '')).toBe('https://b.s3.eu-west-1.amazonaws.com/k.yaml');
});

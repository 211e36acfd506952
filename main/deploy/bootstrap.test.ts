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
const source = { bootstrapTemplate: '{}', platformTemplate: '{"Resources":{}}', agentBundle: new Uint8Array([1, 2, 3]), stackVersion: '0.2.0' };

beforeEach(() => {
  cfn.reset();
  s3.reset();
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('lab-prod-bootstrap', 'CREATE_COMPLETE', { Outputs: [{ OutputKey: 'ArtifactsBucketName', OutputValue: 'lab-prod-artifacts' }] })] });
  cfn.on(CreateChangeSetCommand).rejects(Object.assign(new Error('No updates are to be performed.'), { name: 'ValidationError' }));
  cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: "didn't contain changes" });
});

it('keys the template by content, the bundle by version, and uploads only what is missing or changed', async () => {
  const templateKey = contentKey('templates/platform', source.platformTemplate, '.json');
  const sha = createHash('sha256').update(source.agentBundle).digest('hex');
  s3.on(HeadObjectCommand).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
  s3.on(HeadObjectCommand, { Key: templateKey }).resolves({});
  s3.on(HeadObjectCommand, { Key: 'agents/0.2.0/benchtop-agent-linux-x86_64.tar.gz' }).resolves({ Metadata: { sha256: sha } });
  s3.on(HeadObjectCommand, { Key: 'agents/0.2.0/benchtop-agent-linux-aarch64.tar.gz' }).resolves({ Metadata: { sha256: 'an-older-build' } });
  s3.on(PutObjectCommand).resolves({});
  const result = await bootstrap(createDeployClients({ region: 'eu-west-1' }), 'lab-prod', source, { pollMs: 0, timeoutMs: 1000 });
  expect(result.skipped).toEqual([templateKey, 'agents/0.2.0/benchtop-agent-linux-x86_64.tar.gz']);
  expect(result.uploaded).toEqual(['agents/0.2.0/benchtop-agent-linux-aarch64.tar.gz']);
  expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'lab-prod-artifacts', Metadata: { sha256: sha } });
  expect(result.templateUrl).toMatch(/lab-prod-artifacts/);
  expect(cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input).toMatchObject({ StackName: 'lab-prod-bootstrap', TemplateBody: '{}' });
});

it('changes the key when the content changes', () => {
  expect(contentKey('t', 'a', '.yaml')).not.toBe(contentKey('t', 'b', '.yaml'));
  expect(contentKey('t', 'a', '.yaml')).toBe(contentKey('t', 'a', '.yaml'));
});

it('points TemplateURL at the endpoint in use, path-style', () => {
  expect(objectUrl('b', 'k.yaml', 'eu-west-1', 'http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566/b/k.yaml');
  expect(objectUrl('b', 'k.yaml', 'eu-west-1', '')).toBe('https://b.s3.eu-west-1.amazonaws.com/k.yaml');
});

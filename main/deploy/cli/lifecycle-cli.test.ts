import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STACK_VERSION } from '../../../templates/src/version.js';
import { type FakeAws, type FakeAwsOptions, startFakeAws } from '../testing/fake-aws/server.js';
import { run as deploy } from './deploy-command.js';
import { run as del } from './delete-command.js';
import { run as plan } from './plan-command.js';
import { run as status } from './status-command.js';
import { cli, lines } from '../testing/cli-capture.js';

// The CLI's view of a deployment's life (issue 13): versions of the app, the stack and its agents
// compared, a downgrade refused, and a delete with the data saying what it kept and why. Against
// the scripted fake AWS, reached through AWS_ENDPOINT_URL as a user reaches an emulator.

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const dir = mkdtempSync(join(tmpdir(), 'benchtop-lifecycle-'));
const params = join(dir, 'params.json');
writeFileSync(params, JSON.stringify({ CertificateArn: CERT, NatMode: 'instance', DomainName: 'bench.lab.example.org', AlarmEmail: 'pi@lab.example.org' }));
const saved = { ...process.env };
const base = ['--stack', 'lab-prod', '--region', 'us-east-1'];
let fake: FakeAws | undefined;
let health: Server | undefined;

async function withFake(options: FakeAwsOptions = {}): Promise<FakeAws> {
  fake = await startFakeAws({ stepsPerPoll: 40, certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED' }], ...options });
  Object.assign(process.env, { AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', BENCHTOP_DEPLOY_POLL_MS: '5' });
  return fake;
}

/** A platform's public health route, as a services agent of `version` with these workers answers it. */
async function healthServer(version: string, workerVersions: { version: string; count: number }[]): Promise<string> {
  const queue = (name: string, online: number, versions: typeof workerVersions) => ({ queue: name, queued: 0, running: 0, workersOnline: online, scalingUp: false, gpus: [], workerVersions: versions });
  health = createServer((req, res) => {
    if (req.url !== '/api/v1/health') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version, uptimeSeconds: 5, queues: { cpu: queue('cpu', 3, workerVersions), gpu: queue('gpu', 0, []) } }));
  });
  await new Promise<void>((resolve) => health!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
}

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await new Promise((resolve) => (health ? health.close(resolve) : resolve(undefined)));
  health = undefined;
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

// The first deploy or plan of a file builds the agent bundle and the template (once per process):
// over 15 s on two busy cores, so these tests get more than the 30 s default.
describe('benchtop status, plan and delete over a deployment\'s life', { timeout: 90_000 }, () => {
  it('status compares the stack with its agents (the platform\'s public health) and says which to upgrade', async () => {
    const url = await healthServer('0.0.9', [{ version: STACK_VERSION, count: 2 }, { version: '0.0.9', count: 1 }]);
    await withFake({ outputs: { Url: url } });
    expect((await cli(deploy, [...base, '--params', params, '--yes'])).code).toBe(0);
    const text = await cli(status, base);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`platform ${url}: services agent 0.0.9, 3 workers online`);
    expect(text.out).toContain(`upgrade the agents: The services agent runs 0.0.9, but the stack installed ${STACK_VERSION}`);
    expect(text.out).toContain(`upgrade the agents: 1 worker online runs 0.0.9, the stack ${STACK_VERSION}`);
    const json = lines((await cli(status, [...base, '--json'])).out).find((l) => l.type === 'status') as { version: { services: string; advice: { upgrade: string }[] }; platform: { reachable: boolean } };
    expect(json.version.services).toBe('0.0.9');
    expect(json.version.advice.map((a) => a.upgrade)).toEqual(['agents', 'agents']);
    expect(json.platform.reachable).toBe(true);
  });

  it('says when the platform does not answer, and refuses to plan over a stack newer than this app', async () => {
    const closed = await healthServer('0.1.0', []);
    await new Promise((resolve) => health!.close(resolve));
    health = undefined;
    const f = await withFake({ outputs: { Url: closed } });
    expect((await cli(deploy, [...base, '--params', params, '--yes'])).code).toBe(0);
    expect((await cli(status, base)).out).toMatch(new RegExp(`platform ${closed} does not answer: .*ECONNREFUSED`));
    const stack = f.cfn.find('lab-prod')!;
    stack.outputs = stack.outputs.map((o) => (o.OutputKey === 'StackVersion' ? { ...o, OutputValue: '99.0.0' } : o));
    const refused = await cli(plan, [...base, '--params', params]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`lab-prod runs stack version 99.0.0, newer than the ${STACK_VERSION} this app installs`);
    expect(refused.err).toContain('Upgrade Benchtop to 99.0.0 or newer, then plan again.');
    expect(f.cfn.find('lab-prod')!.changeSets.size).toBe(0);
    expect((await cli(status, base)).out).toContain('upgrade the app: The stack runs version 99.0.0');
  });

  it('delete --delete-data removes what it can and lists each data resource it kept with why', async () => {
    await withFake();
    expect((await cli(deploy, [...base, '--params', params, '--yes'])).code).toBe(0);
    const d = await cli(del, [...base, '--yes', '--delete-data', '--json']);
    expect(d.code).toBe(0);
    const out = lines(d.out);
    const listed = out.filter((l) => l.type === 'kept') as { resourceType: string; physicalId: string; why: string }[];
    // This endpoint has no DescribeVolumes either, so volumes earlier restores kept could not be looked for: it says so.
    expect(listed.find((r) => r.physicalId === 'not looked up')?.why).toMatch(/could not look for volumes kept by earlier restores/);
    const kept = listed.filter((r) => r.physicalId !== 'not looked up');
    const deleted = out.filter((l) => l.type === 'deleted') as { resourceType: string }[];
    // Every data resource of the stack is accounted for, once.
    expect([...kept, ...deleted].map((r) => r.resourceType).sort()).toEqual(['AWS::Backup::BackupVault', 'AWS::EC2::Volume', 'AWS::ECR::Repository', 'AWS::EFS::FileSystem', 'AWS::S3::Bucket', 'AWS::S3::Bucket']);
    // This endpoint does not speak EFS, ECR or AWS Backup: each is kept, saying so.
    for (const type of ['AWS::EFS::FileSystem', 'AWS::ECR::Repository', 'AWS::Backup::BackupVault']) expect(kept.find((r) => r.resourceType === type)?.why).toMatch(/does not (speak|implement)/);
    const text = await cli(del, [...base, '--yes']);
    expect(text.out).toContain('nothing to delete');
  });
});

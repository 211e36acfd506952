import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, type FakeAwsOptions, startFakeAws } from '../testing/fake-aws/server.js';
import { run as deploy } from './deploy-command.js';
import { run as del } from './delete-command.js';
import { run as outputs } from './outputs-command.js';
import { run as plan } from './plan-command.js';
import { run as preflight } from './preflight-command.js';
import { run as status } from './status-command.js';
import { cli, lines } from '../testing/cli-capture.js';

// The CLI against the scripted fake AWS, reached the way a user reaches an emulator: only
// AWS_ENDPOINT_URL changes. Each test gets its own fake, so stacks never leak between tests.

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const dir = mkdtempSync(join(tmpdir(), 'benchtop-cli-'));
const paramsFile = (extra: Record<string, unknown> = {}) => {
  const file = join(dir, `params-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ CertificateArn: CERT, DomainName: 'bench.lab.example.org', AlarmEmail: 'pi@lab.example.org', NatMode: 'instance', ...extra }));
  return file;
};
const saved = { ...process.env };
let fake: FakeAws | undefined;

async function withFake(options: FakeAwsOptions = {}): Promise<FakeAws> {
  fake = await startFakeAws({ stepsPerPoll: 40, certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED' }], ...options });
  Object.assign(process.env, { AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', BENCHTOP_DEPLOY_POLL_MS: '5' });
  return fake;
}

const base = ['--stack', 'lab-prod', '--region', 'us-east-1'];

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

// The first deploy or plan of a file builds the agent bundle and the template (once per process):
// over 15 s on two busy cores, so these tests get more than the 30 s default.
describe('benchtop CLI against a scripted AWS endpoint', { timeout: 90_000 }, () => {
  it('exits 2 on a usage error, naming the option', async () => {
    const r = await cli(deploy, ['--region', 'us-east-1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--stack NAME is required');
  });

  it('deploy --yes installs: preflight, bootstrap, plan, apply; exits 0 on CREATE_COMPLETE with guard rails on', async () => {
    const f = await withFake();
    const r = await cli(deploy, [...base, '--params', paramsFile(), '--yes', '--json']);
    expect(r.code).toBe(0);
    const out = lines(r.out);
    expect(out.find((l) => l.type === 'preflight')).toMatchObject({ ok: true, account: '123456789012' });
    expect(out.find((l) => l.type === 'plan')).toMatchObject({ changeType: 'CREATE', noChanges: false });
    expect(out.filter((l) => l.type === 'event').length).toBeGreaterThan(50);
    expect(out.filter((l) => l.type === 'progress').at(-1)).toMatchObject({ status: 'CREATE_COMPLETE' });
    expect(out.at(-1)).toEqual({ type: 'final', status: 'CREATE_COMPLETE', ok: true });
    const stack = f.cfn.find('lab-prod')!;
    expect(stack.protection).toBe(true);
    expect(stack.policy).toContain('Update:Replace');
    // The bundle is stored under its sha256, and the stack pins the same sha256 for the boot scripts.
    const bundles = [...f.objects.entries()].filter(([k]) => /\/agents\/[^/]+\/benchtop-agent-[0-9a-f]{64}\.tar\.gz$/.test(k));
    expect(bundles).toHaveLength(1);
    const [bundleKey, bundleObject] = bundles[0]!;
    expect(bundleKey).toContain(createHash('sha256').update(bundleObject.body).digest('hex'));
    expect(stack.params.AgentBundleSha256).toBe(createHash('sha256').update(bundleObject.body).digest('hex'));

    const again = await cli(deploy, [...base, '--params', paramsFile(), '--yes', '--json']);
    expect(again.code).toBe(0);
    expect(lines(again.out).find((l) => l.type === 'plan')).toMatchObject({ noChanges: true });

    const o = await cli(outputs, [...base, '--json']);
    expect((lines(o.out)[0]!.outputs as Record<string, string>).StackVersion).toMatch(/^\d+\.\d+\.\d+/);
    const s = await cli(status, base);
    expect(s.code).toBe(0);
    expect(s.out).toContain('lab-prod: CREATE_COMPLETE');
  });

  it('reads a refused CreateChangeSet as no changes, and survives an emulator that finishes at once with stack events only', async () => {
    await withFake({ noChanges: 'refuse', stepsPerPoll: Infinity, stackEventsOnly: true });
    expect((await cli(deploy, [...base, '--params', paramsFile(), '--yes', '--json'])).code).toBe(0);
    const again = await cli(deploy, [...base, '--params', paramsFile(), '--yes', '--json']);
    expect(again.code).toBe(0);
    expect(lines(again.out).find((l) => l.type === 'plan')).toMatchObject({ noChanges: true });
  });

  it('exits 1 when the install rolls back, showing the first failure; delete then clears the way', async () => {
    await withFake({ failResource: { logicalId: 'DataVolume', reason: 'The snapshot snap-0 does not exist' } });
    const r = await cli(deploy, [...base, '--params', paramsFile(), '--yes']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ ROLLBACK_COMPLETE — DataVolume: The snapshot snap-0 does not exist');
    expect(r.err).toContain('delete it and install again');
    expect((await cli(status, base)).code).toBe(1);
    expect((await cli(deploy, [...base, '--params', paramsFile(), '--yes'])).code).toBe(1);
    const d = await cli(del, [...base, '--yes']);
    expect(d.code).toBe(0);
    expect(d.out).toContain('DELETE_COMPLETE');
  });

  it('asks before applying: without --yes and without a terminal it exits 3 and changes nothing', async () => {
    const f = await withFake();
    const r = await cli(deploy, [...base, '--params', paramsFile()]);
    expect(r.code).toBe(3);
    expect(f.cfn.find('lab-prod')?.status).toBe('REVIEW_IN_PROGRESS');
  });

  it('blocks an upgrade that replaces the data volume unless --confirm-data-loss names the stack', async () => {
    const f = await withFake();
    expect((await cli(deploy, [...base, '--params', paramsFile(), '--yes'])).code).toBe(0);
    const risky = paramsFile({ DataVolumeSnapshotId: 'snap-0123456789abcdef0' });
    const blocked = await cli(deploy, [...base, '--params', risky, '--yes']);
    expect(blocked.code).toBe(3);
    expect(blocked.err).toContain('DataVolume');
    expect(f.cfn.find('lab-prod')!.status).toBe('CREATE_COMPLETE');
    const p = await cli(plan, [...base, '--params', risky, '--json']);
    expect(lines(p.out).find((l) => l.type === 'plan')).toMatchObject({ dataRisks: [expect.objectContaining({ logicalId: 'DataVolume', replacement: 'True' })] });
    const confirmed = await cli(deploy, [...base, '--params', risky, '--yes', '--confirm-data-loss', 'lab-prod']);
    expect(confirmed.code).toBe(0);
    expect(f.cfn.find('lab-prod')!.status).toBe('UPDATE_COMPLETE');
    expect(f.cfn.find('lab-prod')!.policy).toContain('Deny');
  });

  it('preflight exits 1 on a certificate that is not issued, and warns when quotas cannot be checked', async () => {
    await withFake({ certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'PENDING_VALIDATION' }], quotasUnsupported: true });
    const r = await cli(preflight, [...base, '--params', paramsFile({ GpuWorkerMaxCount: 2, datavolumesize: 50 }), '--json']);
    expect(r.code).toBe(1);
    const findings = lines(r.out).filter((l) => l.type === 'finding');
    expect(findings).toContainEqual(expect.objectContaining({ field: 'CertificateArn', severity: 'error' }));
    expect(findings).toContainEqual(expect.objectContaining({ field: 'GpuWorkerMaxCount', severity: 'warning' }));
    expect(findings).toContainEqual(expect.objectContaining({ field: 'datavolumesize', message: expect.stringContaining('did you mean DataVolumeSize?') }));
  });

  it('recovers a stack stuck in UPDATE_ROLLBACK_FAILED with --continue-rollback', async () => {
    const f = await withFake();
    f.cfn.seed('lab-prod', 'UPDATE_ROLLBACK_FAILED', { Resources: { Workers: { Type: 'AWS::AutoScaling::AutoScalingGroup' } } }, {});
    const refused = await cli(deploy, [...base, '--params', paramsFile(), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('--continue-rollback');
    const r = await cli(deploy, [...base, '--continue-rollback', '--skip', 'Workers', '--json']);
    expect(r.code).toBe(0);
    expect(lines(r.out).at(-1)).toEqual({ type: 'final', status: 'UPDATE_ROLLBACK_COMPLETE', ok: false });
  });

  it('status --watch re-attaches to an operation already in progress and follows it to the end', async () => {
    const f = await withFake({ stepsPerPoll: 1 });
    const s = f.cfn.seed('lab-prod', 'UPDATE_IN_PROGRESS', { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }, {});
    const stackEvent = (LogicalResourceId: string, ResourceType: string, ResourceStatus: string) => ({ events: [{ LogicalResourceId, ResourceType, ResourceStatus }] });
    s.events.push({ EventId: 'old', StackId: s.id, StackName: s.name, LogicalResourceId: 'lab-prod', ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_IN_PROGRESS', Timestamp: new Date() });
    s.queue.push(stackEvent('Topic', 'AWS::SNS::Topic', 'UPDATE_IN_PROGRESS'), stackEvent('Topic', 'AWS::SNS::Topic', 'UPDATE_COMPLETE'), { ...stackEvent('lab-prod', 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE'), status: 'UPDATE_COMPLETE' });
    const r = await cli(status, [...base, '--watch', '--json']);
    expect(r.code).toBe(0);
    const out = lines(r.out);
    expect(out.filter((l) => l.type === 'event').map((l) => `${l.logicalId} ${l.status}`)).toEqual(['lab-prod UPDATE_IN_PROGRESS', 'Topic UPDATE_IN_PROGRESS', 'Topic UPDATE_COMPLETE', 'lab-prod UPDATE_COMPLETE']);
    expect(out.at(-1)).toEqual({ type: 'final', status: 'UPDATE_COMPLETE', ok: true });
  });

  it('delete asks for confirmation, lifts termination protection only with it, and keeps the data', async () => {
    const f = await withFake();
    expect((await cli(deploy, [...base, '--params', paramsFile(), '--yes'])).code).toBe(0);
    expect((await cli(del, base)).code).toBe(3);
    expect(f.cfn.find('lab-prod')!.protection).toBe(true);
    const d = await cli(del, [...base, '--yes', '--json']);
    expect(d.code).toBe(0);
    const kept = lines(d.out).filter((l) => l.type === 'kept').map((l) => l.resourceType);
    expect(kept).toEqual(expect.arrayContaining(['AWS::EC2::Volume', 'AWS::EFS::FileSystem', 'AWS::S3::Bucket']));
    expect(f.cfn.find('lab-prod')).toBeUndefined();
    expect((await cli(status, base)).code).toBe(1);
  });
});

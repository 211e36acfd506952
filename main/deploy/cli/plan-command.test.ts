import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { planSummary } from '../../../common/deploy/plan-summary.js';
import { type FakeAws, startFakeAws } from '../testing/fake-aws/server.js';
import { run as deploy } from './deploy-command.js';
import { run as plan } from './plan-command.js';

// `benchtop plan` and `deploy` print the plan in words, and give it as JSON with --json.

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const ARM = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';
const dir = mkdtempSync(join(tmpdir(), 'benchtop-plan-cli-'));
const saved = { ...process.env };
let fake: FakeAws | undefined;

const paramsFile = (extra: Record<string, unknown> = {}) => {
  const file = join(dir, `params-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ CertificateArn: CERT, DomainName: 'bench.lab.example.org', AlarmEmail: 'pi@lab.example.org', ...extra }));
  return file;
};

async function withFake(): Promise<FakeAws> {
  fake = await startFakeAws({ stepsPerPoll: 40, certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED' }] });
  Object.assign(process.env, { AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', BENCHTOP_DEPLOY_POLL_MS: '5', AWS_REGION: 'us-east-1' });
  return fake;
}

async function cli(command: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await command(argv), out };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
const planRecord = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.type === 'plan')!;
const base = ['--stack', 'lab-prod', '--region', 'us-east-1'];

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
describe('the plan in words on the command line', { timeout: 90_000 }, () => {
  it('plan prints what a fresh install will create, with its cost, and the same summary as JSON', async () => {
    await withFake();
    const text = await cli(plan, [...base, '--params', paramsFile()]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Install plan for lab-prod in us-east-1: Benchtop 0.1.0');
    expect(text.out).toMatch(/What will exist\n {2}Network +A new VPC 10\.40\.0\.0\/16 over two Availability Zones/);
    expect(text.out).toContain('HTTPS at https://bench.lab.example.org');
    expect(text.out).toContain('CPU workers 0–4 of c6i.xlarge');
    expect(text.out).toContain('GPU workers off.');
    expect(text.out).toMatch(/Idle, per month +\$\d+\.\d\d/);
    expect(text.out).toContain('The raw change set: run again with --diff.');
    expect(text.out).not.toContain('[+] AWS::EC2::Subnet');

    const json = await cli(plan, [...base, '--params', paramsFile(), '--json']);
    const summary = planSummary.parse(planRecord(json.out).summary);
    expect(summary).toMatchObject({ kind: 'install', stackName: 'lab-prod', images: { resolved: true } });
    expect(summary.areas.find((a) => a.area === 'workers')!.exists).toContain('GPU workers off.');

    const diff = await cli(plan, [...base, '--params', paramsFile(), '--diff']);
    expect(diff.out).toContain('[+] AWS::EC2::Subnet PublicSubnet1');
  });

  it('an upgrade keeps the deployed images (an alarm e-mail change replaces nothing) and --update-images says what it replaces', async () => {
    const f = await withFake();
    const installed = await cli(deploy, [...base, '--params', paramsFile(), '--yes']);
    expect(installed.code).toBe(0);
    expect(installed.out).toContain('What will exist');
    f.instance.parameters.set(ARM, { name: ARM, type: 'String', value: 'ami-0d4d4d4d4d4d4d4d4', version: 2 });

    const email = await cli(plan, [...base, '--params', paramsFile({ AlarmEmail: 'lab-alarms@lab.example.org' })]);
    expect(email.out).toContain('Nothing is replaced, no run is interrupted and no data is at risk.');
    expect(email.out).toContain('AlarmEmail: pi@lab.example.org → lab-alarms@lab.example.org.');
    expect(email.out).toContain('Machine images: kept as deployed');

    const images = await cli(plan, [...base, '--params', paramsFile(), '--update-images', '--json']);
    const summary = planSummary.parse(planRecord(images.out).summary);
    expect(summary.kind).toBe('upgrade');
    expect(summary.highlights).toContainEqual(expect.objectContaining({ kind: 'interrupts', resources: ['ServicesGroup'] }));
    expect(summary.images.changes.map((c) => c.parameter).sort()).toEqual(['NatImageId', 'ServicesImageId']);

    const words = await cli(deploy, [...base, '--params', paramsFile(), '--update-images', '--yes']);
    expect(words.code).toBe(0);
    expect(words.out).toContain('⚠ INTERRUPTS  Services: The services instance is replaced');
    expect(words.out).toContain('⚠ INTERRUPTS  Network: The NAT instance is replaced');
    expect(f.cfn.find('lab-prod')!.params.ServicesImageId).toBe('ami-0d4d4d4d4d4d4d4d4');
  });
});

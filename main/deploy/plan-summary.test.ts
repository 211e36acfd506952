import { describe, expect, it } from 'vitest';
import { planSummary } from '../../common/deploy/plan-summary.js';
import { loadTemplate } from '../../templates/src/load-template.js';
import type { ResourceChange } from './plan-diff.js';
import { effectiveParameters, summarizePlan, type SummaryInput } from './plan-summary.js';
import { formatPlanSummary } from './plan-summary-text.js';

const template = loadTemplate('platform');
const GIVEN = {
  CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  DomainName: 'bench.lab.example.org',
  AlarmEmail: 'pi@lab.example.org',
  ArtifactsBucketName: 'lab-prod-artifacts',
  ServicesImageId: 'ami-0a1a1a1a1a1a1a1a1',
  NatImageId: 'ami-0a1a1a1a1a1a1a1a1',
  CpuWorkerImageId: 'ami-0b2b2b2b2b2b2b2b2',
  GpuWorkerImageId: 'ami-0c3c3c3c3c3c3c3c3',
};
const params = (extra: Record<string, string> = {}) => effectiveParameters(template, { ...GIVEN, ...extra });
const change = (logicalId: string, resourceType: string, extra: Partial<ResourceChange> = {}): ResourceChange => ({ action: 'Modify', logicalId, resourceType, replacement: 'False', stateful: false, destroysData: false, ...extra });

function input(over: Partial<SummaryInput>): SummaryInput {
  return {
    template,
    stackName: 'lab-prod',
    region: 'us-east-1',
    type: 'CREATE',
    changes: [],
    parameters: params(),
    version: { to: '0.1.0' },
    images: { resolved: true, changes: [] },
    ...over,
  };
}
const area = (s: ReturnType<typeof summarizePlan>, id: string) => s.areas.find((a) => a.area === id)!;

describe('the plan summary of a fresh install', () => {
  const s = summarizePlan(input({ changes: [change('Vpc', 'AWS::EC2::VPC', { action: 'Add' })] }));

  it('says what will exist, area by area, from the template metadata and the parameters', () => {
    expect(planSummary.parse(s)).toEqual(s);
    expect(s.kind).toBe('install');
    expect(area(s, 'network').exists.join(' ')).toContain('over two Availability Zones');
    expect(area(s, 'entry').exists.join(' ')).toContain('HTTPS at https://bench.lab.example.org');
    expect(area(s, 'entry').exists.join(' ')).toContain('add a CNAME from bench.lab.example.org');
    expect(area(s, 'services').exists[0]).toBe('One services instance (t4g.small) with a 20 GiB encrypted data disk, kept when the stack is deleted.');
    expect(area(s, 'workers').exists).toContain('GPU workers off.');
    expect(area(s, 'workers').exists[0]).toContain('CPU workers 0–4 of c6i.xlarge');
    expect(area(s, 'backups').exists[0]).toContain('kept 14 days');
    expect(area(s, 'alarms').exists[0]).toContain('Alarms to pi@lab.example.org');
    expect(s.highlights).toEqual([]);
    expect(s.areas.every((a) => a.changes.length === 0)).toBe(true);
  });

  it('follows the parameters: GPU workers, a hosted zone, no e-mail, Spot', () => {
    const other = summarizePlan(input({ parameters: params({ GpuWorkerMaxCount: '2', PublicHostedZoneId: 'Z0123456789ABC', AlarmEmail: '', WorkerOnDemandPercent: '50' }) }));
    expect(area(other, 'workers').exists).toContain('GPU workers 0–2 of g5.xlarge.');
    expect(area(other, 'workers').exists.join(' ')).toContain('50% On-Demand');
    expect(area(other, 'entry').exists).toContain('The stack creates the alias record bench.lab.example.org in hosted zone Z0123456789ABC.');
    expect(area(other, 'alarms').exists[0]).toContain('nobody is told');
    expect(other.cost).toMatchObject({ known: true, gpuWorkerHourUsd: { enabled: true } });
  });

  it('prices the stack idle and per worker-hour, with no "before"', () => {
    expect(s.cost).toMatchObject({ known: true, region: 'us-east-1', cpuWorkerHourUsd: { instanceType: 'c6i.xlarge' }, gpuWorkerHourUsd: { enabled: false } });
    if (!s.cost.known) throw new Error('unpriced');
    expect(s.cost.idleMonthlyUsd.after).toBeGreaterThan(20);
    expect(s.cost.idleMonthlyUsd.before).toBeUndefined();
  });

  it('says why there is no cost in a region without prices', () => {
    expect(summarizePlan(input({ region: 'af-south-1' })).cost).toEqual({ known: false, reason: expect.stringContaining('No prices for region af-south-1') });
  });

  it('prints as the CLI shows it', () => {
    const text = formatPlanSummary(s, 'benchtop-1');
    expect(text).toContain('Install plan for lab-prod in us-east-1: Benchtop 0.1.0, 1 resources to create (change set benchtop-1).');
    expect(text).toMatch(/What will exist\n {2}Network +A new VPC 10\.40\.0\.0\/16/);
    expect(text).toMatch(/GPU worker, per hour +off \(\$\d+\.\d{4} for g5\.xlarge if turned on\)/);
  });
});

describe('the plan summary of an upgrade', () => {
  const before = params();

  it('says in words that a new machine image replaces the services instance and interrupts runs', () => {
    const after = params({ ServicesImageId: 'ami-0d4d4d4d4d4d4d4d4' });
    const s = summarizePlan(
      input({
        type: 'UPDATE',
        previous: before,
        parameters: after,
        version: { from: '0.1.0', to: '0.1.0' },
        images: { resolved: true, changes: [{ parameter: 'ServicesImageId', from: 'ami-0a1a1a1a1a1a1a1a1', to: 'ami-0d4d4d4d4d4d4d4d4', source: '/aws/service/x' }] },
        changes: [change('ServicesLaunchTemplate', 'AWS::EC2::LaunchTemplate')],
      }),
    );
    expect(s.kind).toBe('upgrade');
    expect(s.highlights.map((h) => h.kind)).toEqual(['interrupts', 'image']);
    expect(s.highlights[0]).toMatchObject({ resources: ['ServicesGroup'], text: expect.stringContaining('The services instance is replaced') });
    expect(s.highlights[0]!.text).toContain('because ServicesLaunchTemplate changes');
    const text = formatPlanSummary(s);
    expect(text).toContain('⚠ INTERRUPTS  Services: The services instance is replaced; the platform is unreachable');
    expect(text).toContain('! NEW IMAGE   Services: ServicesImageId: ami-0a1a1a1a1a1a1a1a1 → ami-0d4d4d4d4d4d4d4d4 (new machine image).');
    expect(text).toContain('Machine images: updated to the latest (ServicesImageId).');
  });

  it('reads a rolling update from the change set details of a group (as AWS reports them)', () => {
    const s = summarizePlan(input({ type: 'UPDATE', previous: before, changes: [change('CpuWorkerGroup', 'AWS::AutoScaling::AutoScalingGroup', { properties: ['MixedInstancesPolicy'] })] }));
    expect(s.highlights).toEqual([{ kind: 'interrupts', text: expect.stringContaining('Running CPU workers are replaced'), resources: ['CpuWorkerGroup'] }]);
    const inPlace = summarizePlan(input({ type: 'UPDATE', previous: before, parameters: params({ CpuWorkerMaxCount: '8' }), changes: [change('CpuWorkerGroup', 'AWS::AutoScaling::AutoScalingGroup', { properties: ['MaxSize'] })] }));
    expect(inPlace.highlights).toEqual([]);
    expect(area(inPlace, 'workers').changes.map((l) => l.text)).toEqual(['CpuWorkerMaxCount: 4 → 8.', 'Changes CpuWorkerGroup (MaxSize) in place.']);
    expect(formatPlanSummary(inPlace)).toContain('Nothing is replaced, no run is interrupted and no data is at risk.');
  });

  it('puts data loss first, with what it means', () => {
    const s = summarizePlan(
      input({
        type: 'UPDATE',
        previous: before,
        parameters: params({ DataVolumeSnapshotId: 'snap-0123456789abcdef0' }),
        changes: [change('DataVolume', 'AWS::EC2::Volume', { replacement: 'True', stateful: true, destroysData: true }), change('NatInstance', 'AWS::EC2::Instance', { replacement: 'True' })],
      }),
    );
    expect(s.highlights.map((h) => `${h.kind}:${h.resources.join()}`)).toEqual(['data-loss:DataVolume', 'interrupts:NatInstance']);
    expect(s.highlights[0]!.text).toContain('starts without its database');
    expect(formatPlanSummary(s)).toMatch(/Needs your attention\n {2}⚠ DATA LOSS {3}Services: The data disk is replaced/);
  });

  it('compares the cost before and after', () => {
    const s = summarizePlan(input({ type: 'UPDATE', previous: before, parameters: params({ CpuWorkerInstanceType: 'c6i.2xlarge', NatMode: 'gateway' }) }));
    if (!s.cost.known) throw new Error('unpriced');
    expect(s.cost.idleMonthlyUsd.after).toBeGreaterThan(s.cost.idleMonthlyUsd.before!);
    expect(s.cost.cpuWorkerHourUsd.after).toBeGreaterThan(s.cost.cpuWorkerHourUsd.before!);
    expect(formatPlanSummary(s)).toMatch(/Idle, per month +\$\d+\.\d\d → \$\d+\.\d\d/);
  });
});

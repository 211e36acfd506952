import { describe, expect, it } from 'vitest';
import { platformParameters, ParameterError } from '../src/platform.js';
import { estimateMonthlyCost, HOURS_PER_MONTH } from './estimate.js';
import { PRICED_REGIONS, PRICES, PRICES_AS_OF, SOURCES } from './price-table.js';

const item = (e: ReturnType<typeof estimateMonthlyCost>, name: string) => e.idle.items.find((i) => i.item === name);

describe('price table', () => {
  it('is dated and names its sources', () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(SOURCES.length).toBeGreaterThan(5);
  });

  it('covers us-east-1 and at least three other regions', () => {
    expect(PRICED_REGIONS).toContain('us-east-1');
    expect(PRICED_REGIONS.length).toBeGreaterThanOrEqual(4);
  });

  it('prices every instance type the template allows, in every region', () => {
    const allowed = platformParameters()
      .filter((p) => p.name.endsWith('InstanceType'))
      .flatMap((p) => p.allowedValues ?? []);
    for (const region of PRICED_REGIONS) {
      expect(allowed.filter((t) => PRICES[region]!.ec2Hourly[t] === undefined), region).toEqual([]);
    }
  });
});

describe('estimateMonthlyCost', () => {
  it('meets the aim: the default stack with a NAT instance costs at most $60 a month idle in us-east-1', () => {
    const e = estimateMonthlyCost({ NatMode: 'instance' }, 'us-east-1');
    expect(e.idle.totalMonthlyUsd).toBeLessThanOrEqual(60);
    expect(item(e, 'NAT instance')).toBeDefined();
    expect(item(e, 'NAT gateway')).toBeUndefined();
  });

  it('adds up its items', () => {
    const e = estimateMonthlyCost({}, 'eu-west-1');
    const sum = e.idle.items.reduce((s, i) => s + i.monthlyUsd, 0);
    expect(e.idle.totalMonthlyUsd).toBeCloseTo(sum, 2);
  });

  it('prices a NAT gateway by the hour plus data, with its address', () => {
    const gateway = estimateMonthlyCost({ NatMode: 'gateway' }, 'us-east-1');
    expect(item(gateway, 'NAT gateway')!.monthlyUsd).toBeCloseTo(0.045 * HOURS_PER_MONTH + 0.045, 2);
    expect(item(gateway, 'NAT instance')).toBeUndefined();
    expect(item(gateway, 'Public IPv4 addresses')!.detail).toBe('3 x 730 h');
  });

  it('reads sizes from the parameters', () => {
    const small = estimateMonthlyCost({ DataVolumeSize: 20 }, 'us-east-1');
    const large = estimateMonthlyCost({ DataVolumeSize: 520 }, 'us-east-1');
    expect(item(large, 'Data volume')!.monthlyUsd - item(small, 'Data volume')!.monthlyUsd).toBeCloseTo(500 * 0.08, 2);
    expect(item(large, 'Backups of the data volume')!.monthlyUsd).toBeGreaterThan(item(small, 'Backups of the data volume')!.monthlyUsd);
  });

  it('adds the internal load balancer only when asked for', () => {
    expect(item(estimateMonthlyCost({}, 'us-east-1'), 'Internal load balancer')).toBeUndefined();
    const withLb = estimateMonthlyCost({ ServicesEndpointMode: 'load-balancer' }, 'us-east-1');
    expect(item(withLb, 'Internal load balancer')!.monthlyUsd).toBe(item(withLb, 'Entry load balancer')!.monthlyUsd);
  });

  it('counts no load balancer addresses when the entry is internal', () => {
    const e = estimateMonthlyCost({ LoadBalancerScheme: 'internal' }, 'us-east-1');
    expect(item(e, 'Public IPv4 addresses')!.detail).toBe('1 x 730 h');
  });

  it('counts the alarms the template creates (GPU scaling adds three metrics)', () => {
    const cpuOnly = estimateMonthlyCost({}, 'us-east-1');
    const withGpu = estimateMonthlyCost({ GpuWorkerMaxCount: 2 }, 'us-east-1');
    expect(item(cpuOnly, 'CloudWatch alarms')!.detail).toBe('14 alarm metrics');
    expect(item(withGpu, 'CloudWatch alarms')!.detail).toBe('17 alarm metrics');
  });

  it('charges each KMS key the template creates (alarm topic, platform tokens)', () => {
    const e = estimateMonthlyCost({}, 'us-east-1');
    expect(item(e, 'KMS keys')).toMatchObject({ detail: '2 customer managed keys (alarm topic, platform tokens)', monthlyUsd: 2 });
  });

  it('prices a worker-hour for CPU and GPU, saying whether those workers are enabled', () => {
    const cpuOnly = estimateMonthlyCost({}, 'us-east-1');
    expect(cpuOnly.perWorkerHour.cpu).toMatchObject({ instanceType: 'c6i.xlarge', enabled: true });
    expect(cpuOnly.perWorkerHour.cpu.hourlyUsd).toBeCloseTo(0.17 + (40 * 0.08) / HOURS_PER_MONTH, 4);
    expect(cpuOnly.perWorkerHour.gpu).toMatchObject({ instanceType: 'g5.xlarge', enabled: false });
    expect(cpuOnly.perWorkerHour.gpu.hourlyUsd).toBeCloseTo(1.006 + (100 * 0.08) / HOURS_PER_MONTH, 4);
    const gpu = estimateMonthlyCost({ GpuWorkerMaxCount: 1, GpuWorkerInstanceType: 'g4dn.xlarge' }, 'eu-central-1').perWorkerHour.gpu;
    expect(gpu.enabled).toBe(true);
    expect(gpu.hourlyUsd).toBeCloseTo(0.658 + (100 * 0.0952) / HOURS_PER_MONTH, 4);
  });

  it('charges NAT gateway data to each worker-hour', () => {
    const hour = estimateMonthlyCost({ NatMode: 'gateway' }, 'us-east-1').perWorkerHour.cpu;
    expect(hour.items.map((i) => i.item)).toContain('NAT gateway data processing');
  });

  it('works in every priced region', () => {
    for (const region of PRICED_REGIONS) {
      expect(estimateMonthlyCost({ GpuWorkerMaxCount: 1 }, region).idle.totalMonthlyUsd, region).toBeGreaterThan(30);
    }
  });

  it('refuses a region it has no prices for, naming those it has', () => {
    expect(() => estimateMonthlyCost({}, 'ap-south-2')).toThrow('No prices for region ap-south-2; priced regions are us-east-1');
  });

  it('refuses parameters the template would refuse', () => {
    expect(() => estimateMonthlyCost({ ServicesInstanceType: 't2.nano' }, 'us-east-1')).toThrow(ParameterError);
  });
});

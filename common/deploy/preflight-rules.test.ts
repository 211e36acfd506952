import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr } from './cidr.js';
import { P } from './platform-parameters.js';
import {
  checkAccess,
  checkAlarms,
  checkKnownParameters,
  checkCidrAgainstVpcs,
  checkCompute,
  checkNetwork,
  checkParameters,
  checkRegion,
  checkStackName,
  checkStorage,
  checkVpcCidr,
  type Finding,
} from './preflight-rules.js';

const fields = (f: Finding[]) => f.map((x) => `${x.severity}:${x.field}`);
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';

describe('CIDR arithmetic', () => {
  it('parses, rejects and compares blocks', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ base: 167772160, prefix: 16 });
    expect(parseCidr('10.0.0.256/16')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(cidrsOverlap(parseCidr('10.0.0.0/16')!, parseCidr('10.0.128.0/24')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('10.0.0.0/16')!, parseCidr('10.1.0.0/16')!)).toBe(false);
  });
});

describe('stack name', () => {
  it('accepts a lowercase name', () => expect(checkStackName('lab-prod')).toEqual([]));
  it.each([
    ['', 'empty'],
    ['Lab_Prod', 'lab-prod'],
    ['1lab', 'start with a letter'],
    ['lab-', 'hyphen'],
    ['a'.repeat(41), 'at most 40'],
  ])('rejects %j with a sentence that says how to fix it', (name, hint) => {
    const [f] = checkStackName(name);
    expect(f?.field).toBe('stackName');
    expect(f?.message).toContain(hint);
  });
});

describe('region', () => {
  it('accepts region codes', () => expect(checkRegion('eu-west-1')).toEqual([]));
  it('rejects other text', () => expect(checkRegion('Ireland')[0]?.message).toContain('us-east-1'));
});

describe('network', () => {
  it('accepts a private /16 for a new VPC', () => expect(checkNetwork({ [P.vpcCidr]: '10.20.0.0/16', [P.natMode]: 'instance' })).toEqual([]));
  it.each([
    ['10.20.0/16', 'not an IPv4 CIDR'],
    ['10.20.1.0/16', '10.20.0.0/16'],
    ['10.0.0.0/8', 'from /16 to /22'],
    ['10.0.0.0/24', 'from /16 to /22'],
    ['8.8.0.0/16', 'private'],
  ])('rejects VPC CIDR %s', (cidr, hint) => {
    const [f] = checkVpcCidr(cidr);
    expect(f).toMatchObject({ field: P.vpcCidr, severity: 'error' });
    expect(f?.message).toContain(hint);
  });
  it('warns when the new VPC overlaps one in the account', () => {
    expect(checkCidrAgainstVpcs('10.0.0.0/16', [{ vpcId: 'vpc-1', cidr: '10.0.4.0/22' }])[0]?.message).toContain('vpc-1');
    expect(checkCidrAgainstVpcs('10.1.0.0/16', [{ vpcId: 'vpc-1', cidr: '10.0.0.0/16' }])).toEqual([]);
  });
  it('rejects NAT mode "none" for a new VPC and unknown modes', () => {
    expect(fields(checkNetwork({ [P.vpcCidr]: '10.0.0.0/16', [P.natMode]: 'none' }))).toEqual([`error:${P.natMode}`]);
    expect(fields(checkNetwork({ [P.vpcCidr]: '10.0.0.0/16', [P.natMode]: 'cheap' }))).toEqual([`error:${P.natMode}`]);
  });
  const existing = {
    [P.existingVpcId]: 'vpc-0123456789abcdef0',
    [P.publicSubnet1]: 'subnet-0000000a',
    [P.publicSubnet2]: 'subnet-0000000b',
    [P.privateSubnet1]: 'subnet-0000000c',
    [P.privateSubnet2]: 'subnet-0000000d',
    [P.natMode]: 'none',
  };
  it('accepts an existing VPC with 2 + 2 subnets', () => expect(checkNetwork(existing)).toEqual([]));
  it('rejects a bad VPC id, a missing, malformed or repeated subnet', () => {
    expect(fields(checkNetwork({ ...existing, [P.existingVpcId]: 'vpc-xyz' }))).toEqual([`error:${P.existingVpcId}`]);
    expect(checkNetwork({ ...existing, [P.publicSubnet2]: '' })[0]).toMatchObject({ field: P.publicSubnet2, message: expect.stringContaining('public subnet') });
    expect(checkNetwork({ ...existing, [P.privateSubnet2]: 'subnet-0000000a' })[0]).toMatchObject({ field: P.privateSubnet2, message: expect.stringContaining(P.publicSubnet1) });
    expect(checkNetwork({ ...existing, [P.publicSubnet1]: 'sub-1' })[0]?.message).toContain('not a subnet id');
  });
  it('checks the allowed client CIDR', () => {
    expect(checkNetwork({ [P.allowedClientCidr]: '0.0.0.0/0' })).toEqual([]);
    expect(fields(checkNetwork({ [P.allowedClientCidr]: 'anywhere' }))).toEqual([`error:${P.allowedClientCidr}`]);
    expect(checkNetwork({ [P.allowedClientCidr]: '203.0.113.7/24' })[0]?.message).toContain('203.0.113.0/24');
  });
});

describe('access', () => {
  it('accepts a certificate in the same region and a domain', () => expect(checkAccess({ [P.certificateArn]: CERT, [P.domainName]: 'bench.example.org' }, 'eu-west-1')).toEqual([]));
  it('requires a certificate and a domain name, saying why the domain is needed', () => {
    expect(fields(checkAccess({}, 'eu-west-1'))).toEqual([`error:${P.certificateArn}`, `error:${P.domainName}`]);
    expect(checkAccess({ [P.certificateArn]: CERT }, 'eu-west-1')[0]?.message).toContain('ACM cannot issue a certificate for the load balancer');
  });
  it('rejects a certificate from another region, naming both', () => {
    const [f] = checkAccess({ [P.certificateArn]: CERT, [P.domainName]: 'bench.example.org' }, 'us-east-1');
    expect(f?.message).toContain('eu-west-1');
    expect(f?.message).toContain('us-east-1');
  });
  it('rejects a malformed ARN, a bad scheme, a bad domain, a hosted zone without a domain', () => {
    expect(fields(checkAccess({ [P.certificateArn]: 'arn:aws:iam::1:role/x', [P.domainName]: 'bench.example.org' }, 'eu-west-1'))).toEqual([`error:${P.certificateArn}`]);
    expect(fields(checkAccess({ [P.certificateArn]: CERT, [P.loadBalancerScheme]: 'public', [P.domainName]: 'bench.example.org' }, 'eu-west-1'))).toEqual([`error:${P.loadBalancerScheme}`]);
    expect(fields(checkAccess({ [P.certificateArn]: CERT, [P.domainName]: 'not a domain' }, 'eu-west-1'))).toEqual([`error:${P.domainName}`]);
    expect(fields(checkAccess({ [P.certificateArn]: CERT, [P.hostedZoneId]: 'Z123' }, 'eu-west-1'))).toEqual([`error:${P.domainName}`, `error:${P.hostedZoneId}`]);
    expect(fields(checkAccess({ [P.certificateArn]: CERT, [P.domainName]: 'b.example.org', [P.hostedZoneId]: 'zone-1' }, 'eu-west-1'))).toEqual([`error:${P.hostedZoneId}`]);
    expect(fields(checkAccess({ [P.certificateArn]: CERT, [P.domainName]: 'Bench.Example.org' }, 'eu-west-1'))).toEqual([`error:${P.domainName}`]);
  });
});

describe('compute', () => {
  it('accepts instance types and counts', () => expect(checkCompute({ [P.servicesInstanceType]: 't3.medium', [P.gpuWorkerInstanceType]: 'g5.xlarge', [P.gpuWorkerMax]: '2', [P.cpuWorkerMax]: '10' })).toEqual([]));
  it('rejects malformed types and out-of-range counts', () => {
    expect(fields(checkCompute({ [P.cpuWorkerInstanceType]: 'large' }))).toEqual([`error:${P.cpuWorkerInstanceType}`]);
    expect(fields(checkCompute({ [P.cpuWorkerMax]: '-1' }))).toEqual([`error:${P.cpuWorkerMax}`]);
    expect(fields(checkCompute({ [P.gpuWorkerMax]: '1.5' }))).toEqual([`error:${P.gpuWorkerMax}`]);
    expect(fields(checkCompute({ [P.gpuWorkerMax]: '33' }))).toEqual([`error:${P.gpuWorkerMax}`]);
  });
  it('warns about a GPU worker type without a GPU', () => expect(fields(checkCompute({ [P.gpuWorkerInstanceType]: 'c7i.large', [P.gpuWorkerMax]: '1' }))).toEqual([`warning:${P.gpuWorkerInstanceType}`]));
});

describe('storage', () => {
  it('accepts sizes, retention and a snapshot id', () => expect(checkStorage({ [P.dataVolumeSize]: '100', [P.backupRetentionDays]: '14', [P.logRetentionDays]: '30', [P.dataVolumeSnapshotId]: 'snap-0123456789abcdef0' })).toEqual([]));
  it('rejects each bad value', () => {
    expect(fields(checkStorage({ [P.dataVolumeSize]: '5' }))).toEqual([`error:${P.dataVolumeSize}`]);
    expect(fields(checkStorage({ [P.dataVolumeSize]: '20000' }))).toEqual([`error:${P.dataVolumeSize}`]);
    expect(fields(checkStorage({ [P.backupRetentionDays]: '0' }))).toEqual([`error:${P.backupRetentionDays}`]);
    expect(fields(checkStorage({ [P.logRetentionDays]: '10' }))).toEqual([`error:${P.logRetentionDays}`]);
    expect(fields(checkStorage({ [P.dataVolumeSnapshotId]: 'vol-1' }))).toEqual([`error:${P.dataVolumeSnapshotId}`]);
  });
});

describe('alarms and budget', () => {
  it('accepts an e-mail and a budget, or neither', () => {
    expect(checkAlarms({ [P.alarmEmail]: 'admin@lab.example.org', [P.monthlyBudget]: '250' })).toEqual([]);
    expect(checkAlarms({ [P.alarmEmail]: 'admin@lab.example.org' })).toEqual([]);
  });
  it('warns that alarms without an e-mail reach no one', () => {
    expect(fields(checkAlarms({}))).toEqual([`warning:${P.alarmEmail}`]);
    expect(checkAlarms({})[0]?.message).toContain('reach no one');
  });
  it('takes a budget of 0 as "no budget"', () => expect(checkAlarms({ [P.monthlyBudget]: '0', [P.alarmEmail]: 'a@lab.example.org' })).toEqual([]));
  it('rejects a bad e-mail and a budget that is not a positive amount', () => {
    expect(fields(checkAlarms({ [P.alarmEmail]: 'admin@lab' }))).toEqual([`error:${P.alarmEmail}`]);
    expect(fields(checkAlarms({ [P.monthlyBudget]: '-5', [P.alarmEmail]: 'a@lab.example.org' }))).toEqual([`error:${P.monthlyBudget}`]);
    expect(fields(checkAlarms({ [P.monthlyBudget]: 'lots', [P.alarmEmail]: 'a@lab.example.org' }))).toEqual([`error:${P.monthlyBudget}`]);
  });
});

it('checks values against the template\'s AllowedValues, once per field', () => {
  const allowed = { [P.servicesInstanceType]: ['t4g.small', 't4g.medium'], [P.natMode]: ['gateway', 'instance', 'none'] };
  const ok = { [P.certificateArn]: CERT, [P.domainName]: 'bench.example.org', [P.alarmEmail]: 'a@lab.example.org' };
  expect(checkParameters('lab', 'eu-west-1', { ...ok, [P.servicesInstanceType]: 't4g.small' }, allowed)).toEqual([]);
  const f = checkParameters('lab', 'eu-west-1', { ...ok, [P.servicesInstanceType]: 't3.nano', [P.natMode]: 'cheap' }, allowed);
  expect(f.map((x) => x.field)).toEqual([P.natMode, P.servicesInstanceType]);
  expect(f[1]!.message).toContain('t4g.small, t4g.medium');
});

it('names a parameter the template does not declare, with the likely one', () => {
  const declared = [P.dataVolumeSize, P.vpcCidr];
  expect(checkKnownParameters({ [P.vpcCidr]: '10.0.0.0/16' }, declared)).toEqual([]);
  expect(checkKnownParameters({ dataVolumeSize: '20' }, declared)[0]?.message).toContain(`did you mean ${P.dataVolumeSize}?`);
  expect(checkKnownParameters({ Colour: 'blue' }, declared)[0]?.message).toContain('remove it');
});

it('checkParameters gathers every rule over the whole form', () => {
  const f = checkParameters('Lab', 'eu-west-1', { [P.vpcCidr]: '10.0.0.0/8', [P.certificateArn]: CERT, [P.alarmEmail]: 'x' });
  expect(fields(f).sort()).toEqual([`error:${P.alarmEmail}`, `error:${P.domainName}`, `error:${P.vpcCidr}`, 'error:stackName']);
});

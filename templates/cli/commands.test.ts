import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CostEstimateSchema } from '../cost/estimate.js';
import { parseCfnYaml } from '../src/cfn-yaml.js';
import { run as cost } from './cost-command.js';
import { run as template } from './template-command.js';

const dir = mkdtempSync(join(tmpdir(), 'benchtop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

const GOOD = JSON.stringify({
  CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
  ArtifactsBucketName: 'benchtop-artifacts-123',
  DomainName: 'bench.lab.example.org',
  ServicesImageId: 'ami-0123456789abcdef0',
  NatImageId: 'ami-0123456789abcdef0',
  CpuWorkerImageId: 'ami-0123456789abcdef1',
  GpuWorkerImageId: 'ami-0123456789abcdef2',
  DataVolumeSize: 40,
});

describe('benchtop template render', () => {
  it('prints the template once the parameters pass', async () => {
    expect(await template(['render', '--params', file('good.json', GOOD)])).toBe(0);
    expect(parseCfnYaml(out).AWSTemplateFormatVersion).toBe('2010-09-09');
  });

  it('writes to --out and says how to deploy a template of that size', async () => {
    const target = join(dir, 'platform.json');
    expect(await template(['render', '--params', file('good.json', GOOD), '--out', target, '--format', 'json'])).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8')).Resources.DataVolume.Type).toBe('AWS::EC2::Volume');
    expect(err).toMatch(/^Wrote .*platform\.json \(\d+ bytes; upload it to the artifacts bucket and deploy it by TemplateURL\)\.\n$/);
  });

  it('lists every parameter problem and exits 2', async () => {
    expect(await template(['render', '--params', file('bad.json', '{"NatMod":"x","DataVolumeSize":3}')])).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('Unknown parameter NatMod');
    expect(err).toContain('DataVolumeSize must be at least 8 (got 3).');
  });

  it.each([
    [['render'], '--params FILE is required'],
    [['draw', '--params', 'x'], 'Unknown subcommand "draw"'],
    [['render', '--params', '/nonexistent/params.json'], 'Cannot read --params /nonexistent/params.json: ENOENT.'],
    [['render', '--params', '<not json>'], 'broken.json is not valid JSON'],
    [['render', '--params', 'x', '--format', 'xml'], '--format must be yaml or json, not "xml".'],
    [['render', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with one sentence and exit 2', async (argv, message) => {
    const args = argv.map((a) => (a === '<not json>' ? file('broken.json', '{ nope') : a));
    expect(await template(args)).toBe(2);
    expect(err).toMatch(/^benchtop template: /);
    expect(err).toContain(message);
  });

  it('refuses a params file that is not an object of values', async () => {
    expect(await template(['render', '--params', file('list.json', '{"NatMode":["a"]}')])).toBe(2);
    expect(err).toBe('benchtop template: --params ' + join(dir, 'list.json') + ': parameter NatMode is not valid; expected a JSON object of parameter names to strings, numbers or booleans.\n');
  });

  it('prints its usage for --help', async () => {
    expect(await template(['--help'])).toBe(0);
    expect(out).toMatch(/^usage: benchtop template render --params FILE/);
  });
});

describe('benchtop cost', () => {
  it('prints an itemized table with the total and worker-hours', async () => {
    expect(await cost(['--params', file('nat.json', '{"NatMode":"instance"}')])).toBe(0);
    expect(out).toContain('Idle monthly cost in us-east-1');
    expect(out).toMatch(/NAT instance\s+t4g\.nano \+ 8 GiB gp3\s+\$3\.71/);
    expect(out).toMatch(/Total\s+\$\d+\.\d\d/);
    expect(out).toMatch(/CPU {2}c6i\.xlarge\s+\$0\.\d{4} \/ hour\n/);
    expect(out).toMatch(/GPU {2}g5\.xlarge\s+\$1\.\d{4} \/ hour {2}\(not enabled: GpuWorkerMaxCount is 0\)/);
  });

  it('prints JSON with --json, for another region', async () => {
    expect(await cost(['--region', 'eu-central-1', '--json'])).toBe(0);
    const estimate = CostEstimateSchema.parse(JSON.parse(out));
    expect(estimate.region).toBe('eu-central-1');
    expect(estimate.idle.totalMonthlyUsd).toBeGreaterThan(0);
  });

  it('refuses an unpriced region with exit 2', async () => {
    expect(await cost(['--region', 'mars-1'])).toBe(2);
    expect(err).toBe('benchtop cost: No prices for region "mars-1"; choose one of us-east-1, us-west-2, eu-west-1, eu-central-1.\n');
  });

  it('refuses bad parameters with exit 2', async () => {
    expect(await cost(['--params', file('gpu.json', '{"GpuWorkerInstanceType":"p5.48xlarge"}')])).toBe(2);
    expect(err).toContain('GpuWorkerInstanceType must be one of');
  });

  it('prints its usage for --help', async () => {
    expect(await cost(['-h'])).toBe(0);
    expect(out).toMatch(/^usage: benchtop cost/);
  });
});

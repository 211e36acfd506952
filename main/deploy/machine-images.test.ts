import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTemplate } from '../../templates/src/load-template.js';
import { DeployError } from './deploy-error.js';
import { imageSources, resolveImages } from './machine-images.js';

const template = loadTemplate('platform');
const ARM = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';
const X86 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const GPU = '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id';
const ssm = mockClient(SSMClient);
const client = () => new SSMClient({ region: 'us-east-1' });
const notFound = () => Object.assign(new Error('Parameter not found'), { name: 'ParameterNotFound' });
const deployed = [
  { ParameterKey: 'ServicesImageId', ParameterValue: 'ami-0000000000000aaa1' },
  { ParameterKey: 'NatImageId', ParameterValue: 'ami-0000000000000aaa1' },
  { ParameterKey: 'CpuWorkerImageId', ParameterValue: 'ami-0000000000000bbb2' },
  { ParameterKey: 'GpuWorkerImageId', ParameterValue: 'ami-0000000000000ccc3' },
];

beforeEach(() => {
  ssm.reset();
  ssm.on(GetParameterCommand, { Name: ARM }).resolves({ Parameter: { Value: 'ami-0a1a1a1a1a1a1a1a1' } });
  ssm.on(GetParameterCommand, { Name: X86 }).resolves({ Parameter: { Value: 'ami-0b2b2b2b2b2b2b2b2' } });
  ssm.on(GetParameterCommand, { Name: GPU }).resolves({ Parameter: { Value: 'ami-0c3c3c3c3c3c3c3c3' } });
});

describe('machine images', () => {
  it('come from the public parameters named in the template metadata', () => {
    expect(imageSources(template)).toEqual({ ServicesImageId: ARM, NatImageId: ARM, CpuWorkerImageId: X86, GpuWorkerImageId: GPU });
  });

  it('are resolved on an install, each path once', async () => {
    const r = await resolveImages(client(), template, { update: false, parameters: {} });
    expect(r.values).toEqual({ ServicesImageId: 'ami-0a1a1a1a1a1a1a1a1', NatImageId: 'ami-0a1a1a1a1a1a1a1a1', CpuWorkerImageId: 'ami-0b2b2b2b2b2b2b2b2', GpuWorkerImageId: 'ami-0c3c3c3c3c3c3c3c3' });
    expect(r.summary.resolved).toBe(true);
    expect(r.summary.changes).toHaveLength(4);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(3);
  });

  it('stay as deployed on an update, without asking SSM, so nothing is replaced', async () => {
    const r = await resolveImages(client(), template, { previous: deployed, update: false, parameters: {} });
    expect(r.values.ServicesImageId).toBe('ami-0000000000000aaa1');
    expect(r.summary).toEqual({ resolved: false, changes: [] });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('keep what an older, SSM-typed parameter had resolved to', async () => {
    const older = [{ ParameterKey: 'ServicesImageId', ParameterValue: ARM, ResolvedValue: 'ami-0000000000000aaa1' }, ...deployed.slice(1)];
    expect((await resolveImages(client(), template, { previous: older, update: false, parameters: {} })).values.ServicesImageId).toBe('ami-0000000000000aaa1');
  });

  it('move to the latest only when asked, listing each change', async () => {
    const r = await resolveImages(client(), template, { previous: deployed, update: true, parameters: {} });
    expect(r.summary.resolved).toBe(true);
    expect(r.summary.changes).toContainEqual({ parameter: 'ServicesImageId', from: 'ami-0000000000000aaa1', to: 'ami-0a1a1a1a1a1a1a1a1', source: ARM });
  });

  it('take an id given in the parameters over the public one', async () => {
    const r = await resolveImages(client(), template, { update: false, parameters: { CpuWorkerImageId: 'ami-0123456789abcdef0' } });
    expect(r.values.CpuWorkerImageId).toBe('ami-0123456789abcdef0');
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).not.toContain(X86);
  });

  it('do without the GPU image in a region that lacks it while GPU workers are off, and say so when they are on', async () => {
    ssm.on(GetParameterCommand, { Name: GPU }).rejects(notFound());
    const off = await resolveImages(client(), template, { update: false, parameters: { GpuWorkerMaxCount: '0' } });
    expect(off.values.GpuWorkerImageId).toMatch(/^ami-/);
    const on = resolveImages(client(), template, { update: false, parameters: { GpuWorkerMaxCount: '2' } });
    await expect(on).rejects.toBeInstanceOf(DeployError);
    await expect(on).rejects.toThrow(`the public SSM parameter ${GPU} does not exist in this region`);
  });
});

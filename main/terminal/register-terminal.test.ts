import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { type IPty, spawn as spawnPty } from 'node-pty';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Router } from '../../common/api/router.js';
import { decodeServerFrame, encodeClientFrame } from '../../common/api/terminal-stream.js';
import { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { PlatformsFile } from '../platform/connection/platforms-file.js';
import { createPlainFileSecretStore } from '../settings/secret-store.js';
import { SettingsStore } from '../settings/settings-store.js';
import { registerTerminal, type TerminalClients } from './register-terminal.js';
import { TerminalHub } from './terminal-hub.js';
import { FakeDataChannelService } from './testing/fake-data-channel.js';
import { exampleCapsule, startHarness } from '../../agents/services/testing/harness.js';

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
let dir: string;
let service: FakeDataChannelService;
const shells: IPty[] = [];
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'benchtop-register-terminal-'));
  service = await FakeDataChannelService.start();
});
afterEach(async () => {
  for (const shell of shells.splice(0)) shell.kill();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const settings = new SettingsStore(dir);
  const deployment = settings.saveDeployment({ name: 'lab', region: 'eu-west-1', accountId: '123456789012', profile: 'lab-admin' });
  const ssm = new SSMClient({ region: 'eu-west-1', credentials });
  const autoScaling = new AutoScalingClient({ region: 'eu-west-1', credentials });
  const ec2 = new EC2Client({ region: 'eu-west-1', credentials });
  const targets: unknown[] = [];
  const clients: TerminalClients = {
    ssm: (t) => (targets.push(t), ssm),
    autoScaling: () => autoScaling,
    ec2: () => ec2,
  };
  const platforms = new PlatformRegistry({ file: new PlatformsFile(path.join(dir, 'platforms.json')), secrets: createPlainFileSecretStore(dir, () => undefined) });
  const hub = new TerminalHub();
  const router = new Router();
  registerTerminal(router, { settings, env: { SHELL: '/bin/sh', PATH: '/usr/bin:/bin' }, terminals: hub }, platforms, clients);
  return { router, hub, deployment, ssm: mockClient(ssm), asg: mockClient(autoScaling), ec2: mockClient(ec2), targets };
}

describe('terminal calls', () => {
  it("an admin lists a fake deployment's instances and opens a shell on the services instance", async () => {
    const s = setup();
    s.asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    s.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0aaaabbbbccccdddd', State: { Name: 'running' }, Tags: [{ Key: 'benchtop:stack', Value: 'lab' }, { Key: 'benchtop:role', Value: 'services' }] }] }] });
    s.ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-0aaaabbbbccccdddd', PingStatus: 'Online' }] });
    // The fake agent runs a real shell behind the data channel, as the SSM agent would.
    s.ssm.on(StartSessionCommand).callsFake(() => {
      const shell = spawnPty('/bin/sh', [], { cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin', PS1: '$ ' }, encoding: null });
      shells.push(shell);
      const started = service.createSession({ onInput: (bytes) => shell.write(Buffer.from(bytes)) });
      shell.onData((d: string | Buffer) => started.session.output(typeof d === 'string' ? Buffer.from(d) : d));
      shell.onExit(({ exitCode }) => started.session.exit(exitCode));
      return { SessionId: started.SessionId, StreamUrl: started.StreamUrl, TokenValue: started.TokenValue };
    });
    s.ssm.on(TerminateSessionCommand).resolves({});

    const listed = await s.router.invoke('terminal:list-instances', { deploymentId: s.deployment.id }, { transport: 'test' });
    expect(listed).toMatchObject({ ok: true, value: { instances: [{ instanceId: 'i-0aaaabbbbccccdddd', role: 'services', reachable: true }] } });

    const opened = await s.router.invoke('terminal:open', { target: { kind: 'instance', deploymentId: s.deployment.id, instanceId: 'i-0aaaabbbbccccdddd' } }, { transport: 'test' });
    if (!opened.ok) throw new Error(opened.error.message);
    const session = opened.value as { id: string; note: string };
    expect(session.note).toMatch(/lab-admin/);
    expect(s.targets).toContainEqual({ region: 'eu-west-1', profile: 'lab-admin' });

    let out = '';
    const attachment = s.hub.attach({ send: (f) => { const frame = decodeServerFrame(f); if (frame?.kind === 'data') out += Buffer.from(frame.bytes).toString(); }, close: () => undefined });
    attachment.receive(encodeClientFrame({ kind: 'attach', request: { sessionId: session.id, from: 0 } }));
    attachment.receive(encodeClientFrame({ kind: 'data', bytes: Buffer.from('echo services-$((40+2))\r') }));
    for (let i = 0; i < 600 && !out.includes('services-42'); i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(out).toContain('services-42');

    expect(await s.router.invoke('terminal:close', { id: session.id }, { transport: 'test' })).toEqual({ ok: true, value: { closed: true } });
    for (let i = 0; i < 400 && s.ssm.commandCalls(TerminateSessionCommand).length === 0; i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(s.ssm.commandCalls(TerminateSessionCommand)).toHaveLength(1);
  });

  it('refuses bad input and unknown deployments with messages that say what to do', async () => {
    const s = setup();
    const bad = await s.router.invoke('terminal:open', { target: { kind: 'instance', deploymentId: s.deployment.id, instanceId: 'web-1' } }, { transport: 'test' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/instanceId/) } });
    const unknown = await s.router.invoke('terminal:list-instances', { deploymentId: '123456789012/eu-west-1/other' }, { transport: 'test' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found', fix: expect.stringMatching(/Deployment page/) } });
    const local = await s.router.invoke('terminal:open', { target: { kind: 'local' } }, { transport: 'test' });
    expect(local).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/no local sandbox/) } });
    expect(await s.router.invoke('terminal:capabilities', {}, { transport: 'test' })).toMatchObject({ ok: true, value: { local: { available: false } } });
  });

  it('a researcher opens a terminal into their running run on AWS: docker exec on its worker through SSM', async () => {
    const h = await startHarness();
    try {
      const url = h.running.url;
      const platforms = new PlatformRegistry({ file: new PlatformsFile(path.join(dir, 'platforms-aws.json')), secrets: createPlainFileSecretStore(dir, () => undefined) });
      await platforms.add({ name: 'lab', url, token: h.running.researcherToken, activate: true });
      const settings = new SettingsStore(path.join(dir, 'aws'));
      settings.saveDeployment({ name: 'lab', region: 'eu-west-1', accountId: '123456789012', profile: 'lab-admin', platformUrl: url });
      const hub = new TerminalHub();
      const router = new Router();
      const ssm = new SSMClient({ region: 'eu-west-1', credentials });
      const mock = mockClient(ssm);
      mock.on(StartSessionCommand).callsFake(() => {
        const started = service.createSession({ sessionType: 'InteractiveCommands' });
        return { SessionId: started.SessionId, StreamUrl: started.StreamUrl, TokenValue: started.TokenValue };
      });
      mock.on(TerminateSessionCommand).resolves({});
      registerTerminal(router, { settings, env: {}, terminals: hub }, platforms, { ssm: () => ssm, autoScaling: () => new AutoScalingClient({ region: 'eu-west-1', credentials }), ec2: () => new EC2Client({ region: 'eu-west-1', credentials }) });

      const capsule = await h.researcher.createCapsule(exampleCapsule);
      const run = await h.researcher.createRun({ capsuleId: capsule.id });
      const queued = await router.invoke('terminal:open', { target: { kind: 'run', runId: run.id } }, { transport: 'test' });
      expect(queued).toMatchObject({ ok: false, error: { message: expect.stringMatching(/a terminal opens only into a running run/) } });
      const lease = await h.worker.lease({ queue: 'cpu', workerId: 'i-0abc1234def567890' });
      await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true, isolation: { kind: 'container', network: false, summary: 'docker', limits: [], unlimited: [] } });

      const opened = await router.invoke('terminal:open', { target: { kind: 'run', runId: run.id } }, { transport: 'test' });
      if (!opened.ok) throw new Error(opened.error.message);
      expect(opened.value).toMatchObject({ title: `run ${run.id}`, note: expect.stringMatching(/docker exec.*i-0abc1234def567890/) });
      const input = mock.commandCalls(StartSessionCommand)[0]!.args[0].input;
      expect(input.Target).toBe('i-0abc1234def567890');
      expect(input.DocumentName).toBe('AWS-StartInteractiveCommand');
      expect(input.Parameters?.command?.[0]).toContain(`docker ps -q --filter name=^benchtop-${run.id}-`);
      expect(input.Parameters?.command?.[0]).toContain('docker exec -it');
      const trail = await h.admin.audit({ action: 'run.terminal-opened', targetId: run.id });
      expect(trail.items).toHaveLength(1);
      hub.closeAll();
    } finally {
      await h.close();
    }
  });

  it("says how to reach a local sandbox run that runs in a container (no process of it to join)", async () => {
    const h = await startHarness();
    try {
      const platforms = new PlatformRegistry({ file: new PlatformsFile(path.join(dir, 'platforms-local.json')), secrets: createPlainFileSecretStore(dir, () => undefined), local: { url: h.running.url, token: h.running.researcherToken } });
      const router = new Router();
      const hub = new TerminalHub();
      registerTerminal(router, { settings: new SettingsStore(path.join(dir, 'local')), env: {}, terminals: hub, localPlatform: {} }, platforms);
      const capsule = await h.researcher.createCapsule(exampleCapsule);
      const run = await h.researcher.createRun({ capsuleId: capsule.id });
      const lease = await h.worker.lease({ queue: 'cpu', workerId: 'sandbox-worker-1' });
      await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true, isolation: { kind: 'container', network: false, summary: 'docker', limits: [], unlimited: [] } });
      const opened = await router.invoke('terminal:open', { target: { kind: 'run', runId: run.id } }, { transport: 'test' });
      expect(opened).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/container/), fix: expect.stringContaining(`docker ps -q --filter name=^benchtop-${run.id}-`) } });
      expect(hub.list()).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('says a local run terminal needs Linux, and where the run\'s folders are, on a machine without /proc', async () => {
    const h = await startHarness();
    try {
      const platforms = new PlatformRegistry({ file: new PlatformsFile(path.join(dir, 'platforms-noproc.json')), secrets: createPlainFileSecretStore(dir, () => undefined), local: { url: h.running.url, token: h.running.researcherToken } });
      const router = new Router();
      const hub = new TerminalHub();
      const home = path.join(dir, 'home');
      registerTerminal(router, { settings: new SettingsStore(path.join(dir, 'noproc')), env: { BENCHTOP_HOME: home }, terminals: hub, localPlatform: {}, processTable: path.join(dir, 'no-proc') }, platforms);
      const capsule = await h.researcher.createCapsule(exampleCapsule);
      const run = await h.researcher.createRun({ capsuleId: capsule.id });
      const lease = await h.worker.lease({ queue: 'cpu', workerId: 'sandbox-w1' });
      await h.worker.heartbeat(lease!.leaseId, { fencingToken: lease!.fencingToken, started: true, isolation: { kind: 'sandbox-exec', network: false, summary: 'sandbox-exec', limits: [], unlimited: [] } });
      const opened = await router.invoke('terminal:open', { target: { kind: 'run', runId: run.id } }, { transport: 'test' });
      expect(opened).toMatchObject({
        ok: false,
        error: {
          code: 'unavailable',
          message: expect.stringMatching(/needs Linux.*\/proc/),
          fix: expect.stringContaining(path.join(home, 'sandbox', 'workers', 'w1', 'runs', `${run.id}.*`)),
        },
      });
      expect(opened).not.toMatchObject({ error: { fix: expect.stringMatching(/try again/i) } });
      expect(hub.list()).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

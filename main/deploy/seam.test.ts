import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Run } from '../../common/protocol/runs.js';
import { PlatformClient } from '../../lib/protocol/client.js';
import { removeTempRoots } from '../../templates/boot/temp-root.js';
import type { CfnObject } from '../../common/templates/cfn-value.js';
import { materialize } from '../../common/templates/conditions.js';
import { run as deploy } from './cli/deploy-command.js';
import { launchTemplateUserData, type ResolveContext } from './testing/cfn-resolve.js';
import { applyAccessPointOwners } from './testing/efs-access-points.js';
import { type FakeAws, startFakeAws } from './testing/fake-aws/server.js';
import { FakeInstance } from './testing/fake-instance.js';
import { CFN_SIGNAL, INSTANCE_STAND_INS } from './testing/instance-stand-ins.js';
import { type LoopbackNetwork, startLoopbackNetwork } from './testing/loopback-network.js';
import { layOutNativePackages } from './testing/native-packages.js';
import { provisionStackResources } from './testing/stack-resources.js';

// The seam test of the AWS path (issue 12): every joint between the pieces crossed for real, only
// AWS and the machine faked. `benchtop deploy` installs the default parameters into the fake AWS,
// its bootstrap uploading the real agent bundle; the user data of the services and CPU worker
// launch templates is taken from the template the fake stack holds, its Fn::Sub resolved with
// the stack's values (testing/cfn-resolve.ts), and run as root in temporary roots
// (testing/fake-instance.ts) with stand-ins for what only an EC2 instance has
// (testing/instance-stand-ins.ts); the units the boots write are started as systemd would (user,
// argv, working directory, environment, NoNewPrivileges, ProtectSystem, PrivateTmp), the agents
// from the bundle the boot downloaded, checked and unpacked, against the fake AWS. There is no
// Docker engine here: a fake `docker` first on PATH (testing/fake-docker.sh) runs each container's
// command under bubblewrap with the runtime's own --mount, --workdir, --env, --user and --network,
// so the docker runtime's real command construction, image build/push and registry login are
// exercised. Waits are shortened (RETRY_SECONDS, POLL_SECONDS) and the worker's drain grace is
// 2 s instead of the hook's 55 minutes, so the hand-back is seen; nothing else differs from the units.
//
// On commit b0a996f this fails at its first step. That bundle held the agents' sources, started
// by bin/benchtop-services, and agents/services/aws-adapters.ts imported main/aws/client-factory.js,
// which the bundle left out: the services agent started from the downloaded bundle as its unit
// starts it exits with ERR_MODULE_NOT_FOUND, so nothing answers the boot's health check, the boot
// fails and cfn-signal sends FAILURE (the first test's assertions), no token reaches SSM and no
// worker can start (every later test).

const ROOT = resolve(import.meta.dirname, '../..');
const STACK = 'lab';
const REGION = 'us-east-1';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const SERVICES_ID = 'i-0services00000001';
const WORKER_ID = 'i-0worker000000001';
const DRAIN_GRACE_MS = '2000';

function missing(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux (bubblewrap, network namespaces)';
  if (process.getuid?.() !== 0) return 'needs root: the boots run as root and the agents as their units\' User= (uid 9100)';
  for (const tool of ['bwrap', 'unshare', 'nsenter', 'setpriv', 'ip', 'tar']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}
const skip = missing();

const dir = mkdtempSync(join(tmpdir(), 'benchtop-seam-'));
const saved = { ...process.env };
let fake: FakeAws;
let network: LoopbackNetwork;
let deployed: CfnObject;
let context: ResolveContext;
let services: FakeInstance;
let worker: FakeInstance;
let admin: PlatformClient;
const outputs: string[] = [];

const secureValue = (name: string) => fake.instance.parameters.get(`/benchtop/${STACK}/${name}`);
/** Polls `read` every 200 ms until `done` holds, at most `ms`. */
async function until<T>(what: string, ms: number, read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  for (let waited = 0; waited <= ms; waited += 200) {
    last = await read();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} within ${ms} ms; last: ${JSON.stringify(last)}`);
}

function instanceEnv(): Record<string, string> {
  // The AWS endpoint and credentials stand in for the region's endpoints and the instance role.
  return { AWS_ENDPOINT_URL: network.awsUrl, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', RETRY_SECONDS: '0.5', POLL_SECONDS: '0.2', DEV_ROOT: '/fake/dev' };
}

beforeAll(async () => {
  if (skip) return;
  fake = await startFakeAws({ region: REGION, stepsPerPoll: 40, certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED' }] });
  Object.assign(process.env, { AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: REGION, BENCHTOP_DEPLOY_POLL_MS: '5' });
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ CertificateArn: CERT, DomainName: 'bench.lab.example.org', AlarmEmail: 'pi@lab.example.org' }));
  let printed = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((printed += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((printed += String(chunk)), true));
  let code: number;
  try {
    code = await deploy(['--stack', STACK, '--region', REGION, '--params', join(dir, 'params.json'), '--yes', '--json']);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  expect(code, printed).toBe(0);

  const stack = fake.cfn.find(STACK)!;
  expect(stack.status).toBe('CREATE_COMPLETE');
  deployed = materialize(stack.template as CfnObject, { parameters: stack.params, region: REGION });
  context = { stackName: STACK, stackId: stack.id, region: REGION, account: '123456789012', parameters: stack.params, physicalId: (id) => stack.resources.get(id)?.physicalId };
  provisionStackResources(fake, deployed, context);

  // npm ci's mirror, from the lock file inside the bundle the deploy uploaded.
  const [, bundle] = [...fake.objects].find(([key]) => key.endsWith(`/benchtop-agent-${stack.params.AgentBundleSha256}.tar.gz`))!;
  writeFileSync(join(dir, 'bundle.tar.gz'), bundle.body);
  const lock = spawnSync('tar', ['-xzOf', join(dir, 'bundle.tar.gz'), 'package-lock.json'], { encoding: 'utf8' });
  expect(lock.status, lock.stderr).toBe(0);
  layOutNativePackages(ROOT, lock.stdout, join(dir, 'npm-mirror'));

  mkdirSync(join(dir, 'sockets'));
  network = await startLoopbackNetwork(join(dir, 'sockets'), fake.url, 8080);
}, 120_000);

afterAll(async () => {
  await Promise.all([services?.shutdown(), worker?.shutdown()]);
  await network?.close();
  await fake?.close();
  process.env = saved;
  removeTempRoots();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(skip)(`seam: deploy, boot, agents, a run and a drain against the fake AWS${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('boots the services instance from its launch template: the agent from the bundle answers health, cfn-signal says success', async () => {
    services = new FakeInstance({
      userData: launchTemplateUserData(deployed, context, 'ServicesLaunchTemplate'),
      standIns: INSTANCE_STAND_INS,
      placed: CFN_SIGNAL,
      instanceId: SERVICES_ID,
      instanceType: 't4g.small',
      namespace: network.namespace,
      hosts: [],
      env: instanceEnv(),
      npmMirror: join(dir, 'npm-mirror'),
      setup: (root) => {
        mkdirSync(join(root, 'fake/dev'), { recursive: true });
        writeFileSync(join(root, 'fake/dev/xvdf'), '');
      },
    });
    const boot = await services.boot();
    outputs.push(boot.output);
    const agent = services.units.get('benchtop-services');
    expect(boot.status, `${boot.output}\n${agent?.output() ?? 'benchtop-services never started'}`).toBe(0);
    expect(services.calls().at(-1)).toBe(`cfn-signal -e 0 --stack ${STACK} --resource ServicesGroup --region ${REGION}`);

    const started = (await services.started('benchtop-services'));
    expect(started.unit).toMatchObject({ user: 'benchtop', workingDirectory: '/opt/benchtop/current', noNewPrivileges: true });
    expect(started.unit.execStart.slice(1)).toEqual(['services.mjs', '--data', '/var/lib/benchtop', '--host', '0.0.0.0', '--port', '8080', '--log-level', 'info', '--hide-tokens']);
    expect(services.calls()).toContain(`[benchtop] node-22 ${started.unit.execStart.slice(1).join(' ')}`);
    // The announcement (not the first line: the unit's --log-level info puts the server's log lines first).
    const announced = JSON.parse(await started.line((l) => l.includes('"tokenFiles"'))) as Record<string, unknown>;
    expect(announced).toMatchObject({ tokenParameters: `/benchtop/${STACK}/`, tokenFiles: { admin: expect.stringMatching(/^\/var\/lib\/benchtop\//) } });
    expect(announced.adminToken).toBeUndefined();
  }, 90_000);

  it('puts the admin and worker tokens in SSM as SecureStrings under the stack key, never on stdout or stderr', async () => {
    for (const name of ['admin-token', 'worker-token']) {
      const parameter = secureValue(name);
      expect(parameter, name).toMatchObject({ type: 'SecureString', keyId: context.physicalId('TokenKey') });
      expect(parameter!.value).not.toBe('pending');
      expect((await services.started('benchtop-services')).output()).not.toContain(parameter!.value);
    }
    admin = new PlatformClient({ url: network.apiUrl, token: secureValue('admin-token')!.value });
    expect((await admin.me()).user.role).toBe('admin');
  });

  it('boots a CPU worker from its launch template: token from SSM, firewall by root, registry login, and the worker registers', async () => {
    worker = new FakeInstance({
      userData: launchTemplateUserData(deployed, context, 'CpuWorkerLaunchTemplate'),
      standIns: INSTANCE_STAND_INS,
      instanceId: WORKER_ID,
      instanceType: 'c6i.xlarge',
      group: context.physicalId('CpuWorkerGroup')!,
      namespace: network.namespace,
      hosts: [`127.0.0.1 services.${STACK}.benchtop.internal`],
      env: instanceEnv(),
      npmMirror: join(dir, 'npm-mirror'),
      beforeStart: (root) => applyAccessPointOwners(root, deployed, context),
      adjustArgv: (name, argv) => {
        if (name !== 'benchtop-worker') return argv;
        // The hook's hour gives a 55-minute grace; 2 s lets the test see the run handed back.
        expect(argv[argv.indexOf('--drain-grace-ms') + 1]).toBe('3300000');
        return argv.map((a, i) => (argv[i - 1] === '--drain-grace-ms' ? DRAIN_GRACE_MS : a));
      },
    });
    const boot = await worker.boot();
    outputs.push(boot.output);
    expect(boot.status, boot.output).toBe(0);
    expect(readFileSync(worker.path('/etc/benchtop/worker-token'), 'utf8').trim()).toBe(secureValue('worker-token')!.value);

    const agent = (await worker.started('benchtop-worker'));
    expect(agent.unit).toMatchObject({ user: 'benchtop', requires: ['benchtop-metadata-firewall.service'] });
    const ready = JSON.parse(await agent.line((l) => l.includes('"event":"ready"'))) as { event: string; workerId: string; runtime: string };
    expect(ready, agent.output()).toMatchObject({ event: 'ready', workerId: WORKER_ID, queue: 'cpu' });
    expect(ready.runtime).toMatch(/^docker /);
    expect((await worker.started('benchtop-drain')).unit.user).toBeUndefined();

    const queues = await until('the worker is online on the cpu queue', 20_000, () => admin.queues(), (q) => q.items.some((i) => i.queue === 'cpu' && i.workersOnline >= 1));
    expect(queues.items.find((i) => i.queue === 'cpu')).toMatchObject({ workersOnline: 1 });
    // Nothing root-only was asked for by the worker's user: root did the firewall, the agent only read it.
    expect(agent.output()).not.toContain('Permission denied');
    expect(worker.calls().filter((c) => c.startsWith('[benchtop]')).map((c) => c.split(' ')[1])).not.toContain('iptables');
  }, 90_000);

  it('leases, runs in a container and finishes a capsule run: succeeded, results in S3 and through the API', async () => {
    const capsule = await admin.createCapsule({
      name: 'seam',
      environment: { baseImage: 'debian:12-slim' },
      command: ['sh', 'run.sh'],
      files: [{ path: 'run.sh', content: 'echo "hello from $BENCHTOP_RUN_ID"\nprintf "%s\\n" "$PARAM_greeting" >"$RESULTS_DIR/answer.txt"\nid -u >"$RESULTS_DIR/uid.txt"\n' }],
    });
    const created = await admin.createRun({ capsuleId: capsule.id, parameters: { greeting: 'hi from the seam' } });
    const done = await until('the run finished', 60_000, () => admin.getRun(created.id), (r: Run) => ['succeeded', 'failed', 'cancelled'].includes(r.state));
    const logs = (await admin.logs(created.id)).items.map((l) => l.text).join('\n');
    expect(done.state, logs).toBe('succeeded');
    expect(done).toMatchObject({ workerId: WORKER_ID, exitCode: 0, imageDigest: expect.stringMatching(/^sha256:/) });
    expect(logs).toContain(`hello from ${created.id}`);

    expect(Buffer.from(await (await admin.resultFile(created.id, 'answer.txt')).arrayBuffer()).toString()).toBe('hi from the seam\n');
    expect(Buffer.from(await (await admin.resultFile(created.id, 'uid.txt')).arrayBuffer()).toString()).toBe('9100\n');
    const results = context.physicalId('ResultsBucket')!;
    const stored = [...fake.objects].filter(([key]) => key.startsWith(`${results}/results/`)).map(([, o]) => o.body.toString());
    expect(stored).toContain('hi from the seam\n');

    // The docker runtime's own argv reached the engine: no network, the worker's uid, read-only code.
    const calls = worker.calls();
    const dockerRun = calls.find((c) => c.startsWith('[benchtop] docker run'))!;
    expect(dockerRun).toContain('--network none');
    expect(dockerRun).toContain('--user 9100:9100');
    expect(dockerRun).toMatch(/--mount type=bind,src=\/mnt\/benchtop\/scratch\/i-0worker000000001\/\S+,dst=\/code,readonly/);
    const repository = `123456789012.dkr.ecr.${REGION}.amazonaws.com/${context.physicalId('ImageRepository')}`;
    expect(calls.some((c) => c.startsWith(`[benchtop] docker push ${repository}:`))).toBe(true);
    expect(calls).toContain('[benchtop] docker-credential-ecr-login get');
  }, 90_000);

  it('drains on scale-in: the drain watcher stops the unit, the worker hands its run back, the hook is completed', async () => {
    const capsule = await admin.createCapsule({ name: 'seam-long', environment: { baseImage: 'debian:12-slim' }, command: ['sleep', '600'] });
    const long = await admin.createRun({ capsuleId: capsule.id });
    await until('the long run is running', 60_000, () => admin.getRun(long.id), (r: Run) => r.state === 'running');

    const agent = (await worker.started('benchtop-worker'));
    writeFileSync(worker.path('/fake/state/terminating'), '');
    const exit = await agent.exited;
    expect(exit, agent.output()).toEqual({ code: 0, signal: null });
    expect(agent.output()).toMatch(new RegExp(`run ${long.id} \\(lease \\S+\\) handed-back`));
    const calls = worker.calls();
    expect(calls.some((c) => new RegExp(`^\\[benchtop\\] docker kill --signal SIGTERM benchtop-${long.id}-`).test(c))).toBe(true);
    const hook = `aws autoscaling complete-lifecycle-action --lifecycle-hook-name benchtop-drain --auto-scaling-group-name ${context.physicalId('CpuWorkerGroup')} --instance-id ${WORKER_ID} --lifecycle-action-result CONTINUE`;
    await until('the drain watcher completed the lifecycle hook', 10_000, () => worker.calls(), (c) => c.includes(hook));
    expect(worker.calls().indexOf('systemctl stop benchtop-worker')).toBeLessThan(worker.calls().indexOf(hook));

    // Handed back: the worker releases the lease and the run goes back to the queue for another worker.
    const again = await until('the run is queued again', 45_000, () => admin.getRun(long.id), (r: Run) => r.state === 'queued');
    expect(again.attempts).toBe(1);
  }, 120_000);

  it('publishes the queue metrics to CloudWatch in the stack namespace', async () => {
    const metrics = await until('queue metrics in CloudWatch', 75_000, () => fake.instance.metrics, (m) => m.some((d) => d.name === 'QueueDepth'));
    expect(metrics).toContainEqual(expect.objectContaining({ namespace: `Benchtop/${STACK}`, name: 'QueueDepth', dimensions: { Queue: 'cpu' } }));
  }, 90_000);

  it('never printed a token: boots, agents and the logs shipped to CloudWatch', () => {
    const printed = [...outputs, ...[services, worker].flatMap((i) => [...i.units.values()].map((u) => u.output()))];
    for (const [, messages] of [...fake.instance.logs.values()].flatMap((streams) => [...streams])) printed.push(...messages);
    for (const name of ['admin-token', 'worker-token']) {
      const token = secureValue(name)!.value;
      expect(printed.filter((text) => text.includes(token)), name).toEqual([]);
    }
  });
});

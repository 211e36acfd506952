import { createHash } from 'node:crypto';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { METADATA_DROP_RULES, METADATA_FIREWALL_RULES } from '../../agents/worker/runtimes/metadata-firewall.js';
import { type BundleEntry, tarGz } from '../../main/deploy/agent-bundle.js';
import { BOOT_DIR, BUNDLED_BOOT_SCRIPTS, bundledBootScript } from '../src/boot-scripts.js';
import { bootInTempRoot, IPTABLES_STAND_IN, removeTempRoots, type StandIn } from './temp-root.js';

// Whole boots, as user data after Fn::Sub, run as root in a temporary root with recording
// stand-ins (temp-root.ts): the stub installs the agent bundle `aws s3 cp` serves and runs the
// boot script it holds, as the bundle build puts it there (bundledBootScript). The systemctl
// stand-in runs oneshot units' ExecStart as systemd would, so the metadata firewall the worker
// checks is the one the real script wrote.

afterEach(removeTempRoots);

const ROOT_ONLY = { rootOnly: true };

const SYSTEMCTL: StandIn = {
  ...ROOT_ONLY,
  body: [
    'verb=""; now=""; units=()',
    'for a in "$@"; do case $a in --now) now=1;; -*) ;; *) if [ -z "$verb" ]; then verb=$a; else units+=("$a"); fi;; esac; done',
    'if [ "$verb" = start ] || { [ "$verb" = enable ] && [ -n "$now" ]; }; then',
    '  for u in "${units[@]}"; do',
    '    f=/etc/systemd/system/${u%.service}.service',
    '    if [ -f "$f" ] && grep -q "^Type=oneshot" "$f"; then $(sed -n "s/^ExecStart=//p" "$f") || exit 1; fi',
    '  done',
    'fi',
  ].join('\n'),
};

const IMDS_AND_PLATFORM: StandIn = {
  body: [
    'case "$*" in',
    '  *api/token*) echo imds-token;;',
    '  *meta-data/instance-id*) echo i-0abc;;',
    '  *meta-data/instance-type*) echo m7i.xlarge;;',
    '  *target-lifecycle-state*) if grep -q set-instance-health /fake/calls; then echo Terminated; else echo InService; fi;;',
    '  *api/v1/health*) exit 0;;',
    '  *) exit 22;;',
    'esac',
  ].join('\n'),
};

const AWS: StandIn = {
  body: [
    'case "$1 $2" in',
    '  "s3 cp") cp /fake/bundle.tar.gz "${!#}";;',
    '  "ssm get-parameter") printf \'SecureString\\ttok-worker\\n\';;',
    '  "autoscaling describe-auto-scaling-instances") echo benchtop-cpu-asg;;',
    '  "ec2 describe-volumes") [ -f "$FAKE_STATE/volume-held" ] && echo i-old || echo i-0abc;;',
    'esac',
  ].join('\n'),
};

/** Appends what useradd/groupadd would to the root's /etc files. */
const USERADD: StandIn = { ...ROOT_ONLY, body: 'while [ $# -gt 1 ]; do case $1 in --uid) u=$2;; --gid) g=$2;; --home-dir) h=$2;; esac; shift; done; echo "$1:x:$u:$g::$h:/sbin/nologin" >>/etc/passwd' };
const GROUPADD: StandIn = { ...ROOT_ONLY, body: 'while [ $# -gt 1 ]; do case $1 in --gid) g=$2;; esac; shift; done; echo "$1:x:$g:" >>/etc/group' };

const ECR_HELPER: StandIn = {
  body: 'read -r host; [ -f "$FAKE_STATE/ecr-denied" ] && { echo "AccessDeniedException: not authorized to perform ecr:GetAuthorizationToken" >&2; exit 1; }; echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"AWS\\",\\"Secret\\":\\"ecr-secret-token\\"}"',
};

const DOCKER: StandIn = {
  body: 'case "$1" in info) [ -f "$FAKE_STATE/nvidia" ] && echo \'{"nvidia":{"path":"nvidia-container-runtime"},"runc":{}}\' || echo \'{"runc":{}}\';; esac',
};

const COMMON: Record<string, StandIn> = {
  dnf: { ...ROOT_ONLY, body: '' },
  systemctl: SYSTEMCTL,
  useradd: USERADD,
  groupadd: GROUPADD,
  usermod: { ...ROOT_ONLY, body: '' },
  curl: IMDS_AND_PLATFORM,
  aws: AWS,
  sleep: { body: '' },
  'node-22': { body: '' },
  'npm-22': { body: '' },
  runuser: { ...ROOT_ONLY, body: '[ "$1" = -u ] && [ "$3" = -- ] || exit 2; user=$2; shift 3; FAKE_USER=$user exec "$@"' },
};

const WORKER_STAND_INS: Record<string, StandIn> = {
  ...COMMON,
  mount: { ...ROOT_ONLY, body: '' },
  iptables: IPTABLES_STAND_IN,
  ip6tables: IPTABLES_STAND_IN,
  docker: DOCKER,
  'docker-credential-ecr-login': ECR_HELPER,
};

const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/benchtop-envs-lab';

const BUNDLES = mkdtempSync(join(tmpdir(), 'benchtop-bundles-'));
afterAll(() => rmSync(BUNDLES, { recursive: true, force: true }));

/** An agent bundle of `entries` written by the deploy engine's tar writer, with its sha256. */
interface Bundle {
  archive: string;
  sha256: string;
}

function bundleOf(name: string, entries: BundleEntry[]): Bundle {
  const bytes = tarGz(entries);
  const archive = join(BUNDLES, `${name}.tar.gz`);
  writeFileSync(archive, bytes);
  return { archive, sha256: createHash('sha256').update(bytes).digest('hex') };
}
const file = (name: string, body = '', mode = 0o644): BundleEntry => ({ name, body: Buffer.from(body), mode });
const AGENTS = [file('package.json'), file('services.mjs'), file('worker.mjs')];

/** The boot scripts as the bundle build adds them, and what install_agent_bundle checks for; the stack pins its sha256. */
const BUNDLE = bundleOf('bundle', [...BUNDLED_BOOT_SCRIPTS.map((f) => file(`boot/${f}`, bundledBootScript(f), 0o755)), ...AGENTS]);
/** Served in place of the pinned bundle: same files, one boot script changed. */
const TAMPERED = bundleOf('tampered', [file('boot/services.sh', '#!/bin/bash\necho tampered\n', 0o755), file('boot/worker.sh', '#!/bin/bash\necho tampered\n', 0o755), ...AGENTS]);
/** A bundle built before the boot scripts moved into it. */
const WITHOUT_BOOT = bundleOf('without-boot', AGENTS);

/**
 * Every variable the stub and its boot script require, as the launch template gives them; the
 * bundle's pin is the served bundle's sha256 unless `values` says otherwise.
 */
function variablesFor(files: string[], values: Record<string, string>, pinned: Bundle = BUNDLE): Record<string, string> {
  const required = files.flatMap((f) => [...readFileSync(join(BOOT_DIR, f), 'utf8').matchAll(/"\$\{([A-Z][A-Z0-9_]*):\?\}"/g)].map((m) => m[1]!));
  return Object.fromEntries([...new Set(required)].map((name) => [name, values[name] ?? (/SHA256|DIGEST/.test(name) ? pinned.sha256 : `unset-${name}`)]));
}

function workerVariables(queue: 'cpu' | 'gpu'): Record<string, string> {
  return variablesFor(['worker-stub.sh', 'worker.sh'], {
    STACK_NAME: 'lab', AWS_REGION: 'eu-west-1', ARTIFACTS_BUCKET: 'lab-artifacts', AGENT_VERSION: '0.1.0',
    SERVICES_URL: 'http://services.lab.benchtop.internal:8080', QUEUE: queue, EFS_ID: 'fs-1', DATASETS_ACCESS_POINT: 'fsap-1',
    SCRATCH_ACCESS_POINT: 'fsap-2', LOG_GROUP: '/benchtop/lab/workers', IMAGE_REPOSITORY: REPOSITORY, LIFECYCLE_HOOK: 'benchtop-drain', DRAIN_HOOK_SECONDS: '3600', IDLE_MINUTES: '15',
  });
}

/** `served` is what `aws s3 cp` downloads as the bundle the stack pins. */
function bootWorker(queue: 'cpu' | 'gpu', extra: { standIns?: Record<string, StandIn>; state?: string[]; served?: Bundle; variables?: Record<string, string> } = {}) {
  return bootInTempRoot({
    file: 'worker-stub.sh',
    variables: { ...workerVariables(queue), ...extra.variables },
    standIns: { ...WORKER_STAND_INS, ...extra.standIns },
    setup: (root) => {
      mkdirSync(join(root, 'opt/aws/amazon-cloudwatch-agent/etc'), { recursive: true });
      copyFileSync((extra.served ?? BUNDLE).archive, join(root, 'fake/bundle.tar.gz'));
      for (const flag of extra.state ?? []) writeFileSync(join(root, 'fake/state', flag), '');
    },
  });
}

describe('worker.sh on a CPU worker', () => {
  it('boots: firewall applied by root, registry login, fixed ids, the drain grace of the hook', () => {
    const run = bootWorker('cpu');
    expect(run.output).not.toContain('boot failed');
    expect(run.status).toBe(0);

    // The metadata firewall: applied by root through its unit, its listing where the worker looks.
    expect(readFileSync(run.path(METADATA_FIREWALL_RULES), 'utf8').split('\n')).toEqual(expect.arrayContaining(METADATA_DROP_RULES));
    expect(run.calls.filter((c) => c.startsWith('iptables -I') || c.startsWith('ip6tables -I'))).toEqual([
      'iptables -I FORWARD -j DOCKER-USER', 'iptables -I DOCKER-USER -d 169.254.169.254/32 -j DROP',
      'ip6tables -I FORWARD -j DOCKER-USER', 'ip6tables -I DOCKER-USER -d fd00:ec2::254/128 -j DROP',
    ]);
    expect(readFileSync(run.path('/etc/systemd/system/benchtop-worker.service.d/metadata-firewall.conf'), 'utf8')).toContain('Requires=benchtop-metadata-firewall.service');
    const order = run.calls.filter((c) => c.startsWith('systemctl enable'));
    expect(order.indexOf('systemctl enable --now docker')).toBeLessThan(order.indexOf('systemctl enable --now benchtop-metadata-firewall'));

    // Nothing root-only was asked for as the worker's user; the registry token was, and was not printed.
    expect(run.calls.filter((c) => c.startsWith('['))).toEqual(['[benchtop] docker-credential-ecr-login get']);
    expect(run.output).not.toContain('ecr-secret-token');
    expect(JSON.parse(readFileSync(run.path('/home/benchtop/.docker/config.json'), 'utf8'))).toEqual({ credHelpers: { [REPOSITORY.split('/')[0]!]: 'ecr-login' } });
    expect(run.calls).toContain('dnf install -y -q docker amazon-efs-utils amazon-cloudwatch-agent amazon-ecr-credential-helper git');

    // Fixed ids, so EFS and a later image agree on who owns what.
    expect(readFileSync(run.path('/etc/passwd'), 'utf8')).toContain('benchtop:x:9100:9100::/home/benchtop:/sbin/nologin');
    expect(statSync(run.path('/home/benchtop'))).toMatchObject({ uid: 9100, gid: 9100 });

    // Drain: the grace and the stop timeout come from the hook's 3600 s.
    const unit = readFileSync(run.path('/etc/systemd/system/benchtop-worker.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/fake\/bin\/node-22 worker\.mjs .* --drain-grace-ms 3300000$/m);
    expect(unit).toContain('TimeoutStopSec=3480');
    // Every worker's dataset cache is the shared EFS datasets access point.
    expect(unit).toMatch(/^ExecStart=.* --dataset-cache \/mnt\/benchtop\/datasets --dataset-cache-max-mib \d+ /m);
    // Several runs at once: the machine's vCPUs and memory (less the system's share), no GPUs here.
    expect(unit).toMatch(/^ExecStart=.* --slots cpus=[1-9]\d*,memory-mb=\d{3,},gpus=0 /m);
    expect(unit).toContain('User=benchtop');
    expect(readFileSync(run.path('/etc/benchtop/worker.env'), 'utf8')).toBe('AWS_REGION=eu-west-1\nDOCKER_CONFIG=/home/benchtop/.docker\n');

    expect(run.calls.some((c) => c.startsWith('nvidia-smi'))).toBe(false);
    expect(run.calls.some((c) => c.includes('set-instance-health'))).toBe(false);
    expect(run.calls.at(-1)).toBe('systemctl enable --now benchtop-worker benchtop-drain benchtop-idle.timer');

    // The stub fetched the pinned bundle and handed over to its boot script; one log holds both, each line once.
    expect(run.calls.filter((c) => c.startsWith('aws s3 cp'))).toEqual([expect.stringMatching(`^aws s3 cp --only-show-errors s3://lab-artifacts/agents/0\\.1\\.0/benchtop-agent-${BUNDLE.sha256}\\.tar\\.gz `)]);
    const log = readFileSync(run.path('/var/log/benchtop-boot.log'), 'utf8');
    for (const step of ['installing the agent bundle, which holds the boot script', 'starting the worker agent']) {
      expect(log.split('\n').filter((l) => l === `benchtop: boot: ${step}`)).toHaveLength(1);
    }
  });

  it('refuses a bundle that is not the one the stack pins: none of it runs, and the worker leaves its group', () => {
    const run = bootWorker('cpu', { served: TAMPERED });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('does not match its pinned sha256; not unpacking it');
    expect(run.output).toContain('benchtop: boot failed while installing the agent bundle, which holds the boot script');
    expect(run.output).not.toContain('tampered');
    expect(run.calls.filter((c) => c.startsWith('aws autoscaling') && !c.includes('describe'))).toEqual([
      'aws autoscaling set-instance-health --instance-id i-0abc --health-status Unhealthy --no-should-respect-grace-period',
      'aws autoscaling complete-lifecycle-action --lifecycle-hook-name benchtop-drain --auto-scaling-group-name benchtop-cpu-asg --instance-id i-0abc --lifecycle-action-result CONTINUE',
    ]);
    expect(run.calls.some((c) => c.startsWith('dnf'))).toBe(false);
  });

  it('leaves its group when the stack pins no bundle (AgentBundleSha256 left empty), rather than staying InService without an agent', () => {
    const run = bootWorker('cpu', { variables: { AGENT_DIGEST: '' } });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('benchtop: boot failed while installing the agent bundle, which holds the boot script');
    expect(run.calls.some((c) => c.startsWith('aws s3 cp'))).toBe(false);
    expect(run.calls.filter((c) => c.startsWith('aws autoscaling') && !c.includes('describe'))).toEqual([
      'aws autoscaling set-instance-health --instance-id i-0abc --health-status Unhealthy --no-should-respect-grace-period',
      'aws autoscaling complete-lifecycle-action --lifecycle-hook-name benchtop-drain --auto-scaling-group-name benchtop-cpu-asg --instance-id i-0abc --lifecycle-action-result CONTINUE',
    ]);
  });

  it('marks itself Unhealthy when the registry refuses it, and lets the group terminate it at once', () => {
    const run = bootWorker('cpu', { state: ['ecr-denied'] });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('benchtop: boot failed while logging Docker in to the image registry');
    expect(run.calls.filter((c) => c.startsWith('aws autoscaling') && !c.includes('describe'))).toEqual([
      'aws autoscaling set-instance-health --instance-id i-0abc --health-status Unhealthy --no-should-respect-grace-period',
      'aws autoscaling complete-lifecycle-action --lifecycle-hook-name benchtop-drain --auto-scaling-group-name benchtop-cpu-asg --instance-id i-0abc --lifecycle-action-result CONTINUE',
    ]);
    expect(run.calls.some((c) => c.includes('benchtop-worker benchtop-drain'))).toBe(false);
  });
});

describe('worker.sh on a GPU worker', () => {
  const gpu = { 'nvidia-smi': { body: 'printf "NVIDIA A10G, 23028, 550.127.05\\n"' } };

  it('checks the driver and Docker\'s NVIDIA runtime, and writes what it found for the worker', () => {
    const run = bootWorker('gpu', { standIns: gpu, state: ['nvidia'] });
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(run.path('/etc/benchtop/gpus.json'), 'utf8'))).toEqual({ count: 1, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA A10G', memoryMiB: 23028 }] });
    // The GPU it found is a slot the worker shares among its runs.
    expect(readFileSync(run.path('/etc/systemd/system/benchtop-worker.service'), 'utf8')).toMatch(/^ExecStart=.* --slots cpus=[1-9]\d*,memory-mb=\d{3,},gpus=1 /m);
  });

  it('fails its boot, saying why, on an image whose Docker has no NVIDIA runtime', () => {
    const run = bootWorker('gpu', { standIns: gpu });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Docker has no nvidia runtime');
    expect(run.output).toContain('boot failed while checking the GPUs');
    expect(run.calls).toContain('aws autoscaling set-instance-health --instance-id i-0abc --health-status Unhealthy --no-should-respect-grace-period');
  });
});

describe('services.sh', () => {
  const STAND_INS: Record<string, StandIn> = {
    ...COMMON,
    mount: { ...ROOT_ONLY, body: '' },
    blkid: { body: 'case "$*" in *TYPE*) echo xfs;; *UUID*) echo 1111-2222;; esac' },
    mountpoint: { body: 'exit 1' },
    findmnt: { body: 'case "$*" in *FSTYPE*) echo xfs;; *SOURCE*) echo /dev/xvdf;; esac' },
    xfs_growfs: { ...ROOT_ONLY, body: '' },
    // "dnf-flaky": the package mirror fails the first install, as a passing mirror error does.
    dnf: { ...ROOT_ONLY, body: '[ -f "$FAKE_STATE/dnf-flaky" ] && { rm "$FAKE_STATE/dnf-flaky"; echo "Curl error (28): Timeout was reached" >&2; exit 1; }; true' },
  };
  const CFN_SIGNAL = { '/opt/aws/bin/cfn-signal': { body: '' } };

  /** `served` is what `aws s3 cp` downloads as the bundle the stack pins (`pinned`). */
  function bootServices(state: string[] = [], { served = BUNDLE, pinned = BUNDLE, variables = {} }: { served?: Bundle; pinned?: Bundle; variables?: Record<string, string> } = {}) {
    return bootInTempRoot({
      file: 'services-stub.sh',
      variables: variablesFor(['services-stub.sh', 'services.sh'], { STACK_NAME: 'lab', AWS_REGION: 'eu-west-1', DATA_VOLUME_ID: 'vol-0abc', SIGNAL_RESOURCE: 'ServicesGroup', AGENT_VERSION: '0.1.0', ARTIFACTS_BUCKET: 'lab-artifacts', ...variables }, pinned),
      standIns: STAND_INS,
      placed: CFN_SIGNAL,
      env: { DEV_ROOT: '/fake/dev' },
      setup: (root) => {
        mkdirSync(join(root, 'fake/dev'), { recursive: true });
        writeFileSync(join(root, 'fake/dev/xvdf'), '');
        mkdirSync(join(root, 'opt/aws/amazon-cloudwatch-agent/etc'), { recursive: true });
        copyFileSync(served.archive, join(root, 'fake/bundle.tar.gz'));
        // What an older image left on the volume, owned by the id its useradd happened to pick.
        mkdirSync(join(root, 'var/lib/benchtop/capsules'), { recursive: true });
        writeFileSync(join(root, 'var/lib/benchtop/benchtop.db'), '');
        for (const f of ['var/lib/benchtop', 'var/lib/benchtop/capsules', 'var/lib/benchtop/benchtop.db']) chownSync(join(root, f), 992, 992);
        for (const flag of state) writeFileSync(join(root, 'fake/state', flag), '');
      },
    });
  }

  it('boots: grows the data filesystem now and at every boot, gives the data to the fixed id, signals success', () => {
    const run = bootServices();
    expect(run.output).not.toContain('boot failed');
    expect(run.status).toBe(0);
    expect(run.calls).toContain('xfs_growfs /var/lib/benchtop');
    expect(readFileSync(run.path('/etc/systemd/system/benchtop-grow-data.service'), 'utf8')).toContain('Before=benchtop-services.service');
    expect(run.calls).toContain('systemctl enable benchtop-grow-data.service');
    expect(run.calls.find((c) => c.startsWith('systemctl enable --now'))).toContain('benchtop-grow-data.timer');
    expect(readFileSync(run.path('/etc/passwd'), 'utf8')).toContain('benchtop:x:9100:9100::/var/lib/benchtop:/sbin/nologin');
    for (const f of ['/var/lib/benchtop', '/var/lib/benchtop/capsules', '/var/lib/benchtop/benchtop.db']) expect(statSync(run.path(f))).toMatchObject({ uid: 9100, gid: 9100 });
    expect(run.calls.at(-1)).toBe('cfn-signal -e 0 --stack lab --resource ServicesGroup --region eu-west-1');
  });

  it('tries the cfn-signal install again after a passing mirror error, so the boot still signals', () => {
    const run = bootServices(['dnf-flaky']);
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => c === 'dnf install -y -q aws-cfn-bootstrap')).toHaveLength(2);
    expect(run.calls.at(-1)).toBe('cfn-signal -e 0 --stack lab --resource ServicesGroup --region eu-west-1');
  });

  it('signals FAILURE with the step and command that failed', () => {
    const run = bootServices(['volume-held']);
    expect(run.status).not.toBe(0);
    expect(run.calls.at(-1)).toBe(
      'cfn-signal -e 1 --reason boot failed while attaching the data volume (exit 1) at: attach_volume "$DATA_VOLUME_ID" "$instance_id" 60; see /var/log/benchtop-boot.log --stack lab --resource ServicesGroup --region eu-west-1',
    );
    expect(run.calls.some((c) => c.includes('benchtop-services'))).toBe(false);
  });

  it('signals FAILURE when the bundle is not the one the stack pins, and runs none of it', () => {
    const run = bootServices([], { served: TAMPERED });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('does not match its pinned sha256; not unpacking it');
    expect(run.output).not.toContain('tampered');
    expect(run.calls.filter((c) => c.startsWith('dnf'))).toEqual(['dnf install -y -q aws-cfn-bootstrap']);
    expect(run.calls.at(-1)).toBe(
      'cfn-signal -e 1 --reason boot failed while installing the agent bundle, which holds the boot script (exit 1) at: install_agent_bundle "$ARTIFACTS_BUCKET" "$AGENT_VERSION" "$AGENT_DIGEST"; see /var/log/benchtop-boot.log --stack lab --resource ServicesGroup --region eu-west-1',
    );
  });

  it('signals FAILURE at once when the stack pins no bundle (AgentBundleSha256 left empty), rather than leaving the stack to time out', () => {
    const run = bootServices([], { variables: { AGENT_DIGEST: '' } });
    expect(run.status).not.toBe(0);
    expect(run.calls.some((c) => c.startsWith('aws s3 cp'))).toBe(false);
    expect(run.calls.at(-1)).toMatch(/^cfn-signal -e 1 --reason boot failed while installing the agent bundle, which holds the boot script \(exit 1\)/);
  });

  it('signals FAILURE naming the boot script a bundle built before this version lacks', () => {
    const run = bootServices([], { served: WITHOUT_BOOT, pinned: WITHOUT_BOOT });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('the agent bundle has no boot/services.sh');
    expect(run.calls.at(-1)).toMatch(/^cfn-signal -e 1 --reason boot failed while installing the agent bundle, which holds the boot script \(exit 1\) at: /);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { METADATA_DROP_RULES } from '../../agents/worker/runtimes/metadata-firewall.js';
import { gpuInventory } from '../../agents/worker/runtimes/gpu-inventory.js';
import { bash, removeBashRuns } from './bash-harness.js';
import { iptablesStandInBody } from './temp-root.js';

// What the worker's boot prepares as root for the unprivileged agent: the metadata firewall,
// the registry login, the GPU checks. The stand-ins refuse root-only work under runuser
// (FAKE_USER set), as the real commands do for a non-root user.

afterEach(removeBashRuns);

const ROOT_ONLY = 'if [ -n "${FAKE_USER:-}" ]; then echo "Permission denied (you must be root)" >&2; exit 4; fi';

/** iptables/ip6tables over a folder of chains in $HOME, root only. */
const IPTABLES = [ROOT_ONLY, iptablesStandInBody('$HOME')].join('\n');

/** Docker has started: its chains exist (IPv4 only, as with ip6tables off). */
function dockerChains(dir: string): void {
  mkdirSync(join(dir, 'iptables'));
  writeFileSync(join(dir, 'iptables/DOCKER-USER'), '-A DOCKER-USER -j RETURN\n');
  writeFileSync(join(dir, 'iptables/FORWARD'), '-A FORWARD -j DOCKER-USER\n-A FORWARD -j DOCKER-FORWARD\n');
}

describe('metadata firewall', () => {
  const fakes = { iptables: IPTABLES, ip6tables: IPTABLES };

  it('drops both metadata addresses in DOCKER-USER as root and leaves the listing the worker checks', () => {
    const run = bash('apply_metadata_firewall "$HOME/run/benchtop/metadata-firewall.rules"', fakes, dockerChains);
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => / -[INI] /.test(` ${c.split(' ').slice(1).join(' ')} `) && !c.includes(' -n '))).toEqual([
      'iptables -I DOCKER-USER -d 169.254.169.254/32 -j DROP',
      'ip6tables -N DOCKER-USER',
      'ip6tables -I FORWARD -j DOCKER-USER',
      'ip6tables -I DOCKER-USER -d fd00:ec2::254/128 -j DROP',
    ]);
    const rules = join(run.dir, 'run/benchtop/metadata-firewall.rules');
    expect(readFileSync(rules, 'utf8')).toBe(['-N DOCKER-USER', METADATA_DROP_RULES[0], '-A DOCKER-USER -j RETURN', '-N DOCKER-USER', METADATA_DROP_RULES[1], ''].join('\n'));
    expect(statSync(rules).mode & 0o777).toBe(0o644);
    expect(statSync(join(run.dir, 'run/benchtop')).mode & 0o777).toBe(0o755);
  });

  it('inserts nothing twice when applied again (a second boot, a restarted unit)', () => {
    const run = bash('apply_metadata_firewall "$HOME/rules" && apply_metadata_firewall "$HOME/rules"', fakes, dockerChains);
    expect(run.calls.filter((c) => c.includes(' -I ') || c.includes(' -N '))).toHaveLength(4);
    expect(readFileSync(join(run.dir, 'ip6tables/DOCKER-USER'), 'utf8')).toBe(`${METADATA_DROP_RULES[1]}\n`);
  });

  it('is refused to a non-root user, and then leaves no listing behind', () => {
    const run = bash('FAKE_USER=benchtop apply_metadata_firewall "$HOME/rules"', fakes, dockerChains);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Permission denied (you must be root)');
    expect(existsSync(join(run.dir, 'rules'))).toBe(false);
  });

  it('installs a standalone script that passes shellcheck, its unit after Docker, and the worker requiring it', () => {
    const run = bash('install_metadata_firewall benchtop-worker', {});
    expect(run.status).toBe(0);
    const script = join(run.dir, 'lib/metadata-firewall');
    expect(spawnSync('shellcheck', [script], { encoding: 'utf8' }).stdout).toBe('');
    const unit = readFileSync(join(run.dir, 'benchtop-metadata-firewall.service'), 'utf8');
    for (const line of ['After=docker.service', 'Type=oneshot', 'RemainAfterExit=yes', `ExecStart=${script}`, 'WantedBy=multi-user.target']) expect(unit).toContain(line);
    expect(unit).not.toContain('User=');
    expect(readFileSync(join(run.dir, 'benchtop-worker.service.d/metadata-firewall.conf'), 'utf8')).toBe(
      '[Unit]\nRequires=benchtop-metadata-firewall.service\nAfter=benchtop-metadata-firewall.service\n',
    );
  });
});

describe('registry login', () => {
  const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/benchtop-envs-lab';
  const helper = 'read -r host; [ -f "$HOME/denied" ] && { echo "AccessDeniedException" >&2; exit 1; }; echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"AWS\\",\\"Secret\\":\\"ecr-secret-token\\"}"';
  const runuser = `${ROOT_ONLY}\n[ "$1" = -u ] && [ "$3" = -- ] || exit 2; user=$2; shift 3; FAKE_USER=$user exec "$@"`;

  it('names the credential helper for the registry host in the user\'s Docker config', () => {
    const run = bash(`configure_registry_login "$(id -un)" "$HOME/home" ${REPOSITORY}`, { 'docker-credential-ecr-login': helper }, (dir) => mkdirSync(join(dir, 'home')));
    expect(run.status).toBe(0);
    const config = join(run.dir, 'home/.docker/config.json');
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' } });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(join(run.dir, 'home/.docker')).mode & 0o777).toBe(0o700);
  });

  it('fails the boot when the helper is not installed', () => {
    const run = bash(`PATH="$HOME/bin:/usr/bin:/bin" configure_registry_login root "$HOME" ${REPOSITORY}`, {});
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('docker-credential-ecr-login is missing (dnf package amazon-ecr-credential-helper)');
  });

  it('gets a token as the worker\'s user and prints none of it', () => {
    const run = bash(`check_registry_login benchtop /home/benchtop ${REPOSITORY}`, { runuser, env: 'while [[ $1 == *=* ]]; do export "$1"; shift; done; exec "$@"', 'docker-credential-ecr-login': helper });
    expect(run.status).toBe(0);
    expect(run.calls).toContain('[benchtop] docker-credential-ecr-login get');
    expect(run.stdout + run.stderr).not.toContain('ecr-secret-token');
  });

  it('says what the instance role lacks when no token comes', () => {
    const run = bash(`check_registry_login benchtop /home/benchtop ${REPOSITORY}`, { runuser, env: 'while [[ $1 == *=* ]]; do shift; done; exec "$@"', 'docker-credential-ecr-login': helper }, (dir) => writeFileSync(join(dir, 'denied'), ''));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('got no token for 123456789012.dkr.ecr.eu-west-1.amazonaws.com as benchtop (instance role needs ecr:GetAuthorizationToken)');
  });
});

describe('GPU checks', () => {
  const smi = (listing: string, rc = 0) => ({ 'nvidia-smi': `printf '${listing}'; exit ${rc}` });
  const docker = { docker: '[ -f "$HOME/nvidia" ] && echo \'{"io.containerd.runc.v2":{},"nvidia":{"path":"nvidia-container-runtime"},"runc":{}}\' || echo \'{"runc":{}}\'' };
  const withRuntime = (dir: string) => writeFileSync(join(dir, 'nvidia'), '');
  const A10G = 'NVIDIA A10G, 23028, 550.127.05\\n';

  it('writes the GPUs it found in the format the worker reads', () => {
    const run = bash('check_gpu_host "$HOME/etc/gpus.json"', { ...smi(A10G + A10G), ...docker }, withRuntime);
    expect(run.status).toBe(0);
    expect(run.calls).toContain('nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits');
    const written: unknown = JSON.parse(readFileSync(join(run.dir, 'etc/gpus.json'), 'utf8'));
    expect(gpuInventory.parse(written)).toEqual({ count: 2, driverVersion: '550.127.05', gpus: [{ model: 'NVIDIA A10G', memoryMiB: 23028 }, { model: 'NVIDIA A10G', memoryMiB: 23028 }] });
  });

  it.each([
    ['no driver', {}, 'no nvidia-smi: this image has no NVIDIA driver'],
    ['a broken driver', smi('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver\\n', 9), 'nvidia-smi failed: the NVIDIA driver is not working'],
    ['no GPU', smi(''), 'nvidia-smi sees no GPU (is GpuWorkerInstanceType a GPU instance type?)'],
  ])('fails the boot with a reason on %s', (_case, fakes: Record<string, string>, reason) => {
    const run = bash('PATH="$HOME/bin:/usr/bin:/bin" check_gpu_host "$HOME/gpus.json"', { ...fakes, ...docker }, withRuntime);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(reason);
    expect(existsSync(join(run.dir, 'gpus.json'))).toBe(false);
  });

  it('registers the NVIDIA runtime with Docker when the toolkit is there but not configured', () => {
    const run = bash('check_gpu_host "$HOME/gpus.json"', { ...smi(A10G), ...docker, 'nvidia-ctk': 'touch "$HOME/nvidia"', systemctl: '' });
    expect(run.status).toBe(0);
    expect(run.calls.filter((c) => !c.startsWith('docker') && !c.startsWith('nvidia-smi'))).toEqual(['nvidia-ctk runtime configure --runtime=docker', 'systemctl restart docker']);
  });

  it('fails the boot when Docker has no NVIDIA runtime and no toolkit can add it', () => {
    const run = bash('check_gpu_host "$HOME/gpus.json"', { ...smi(A10G), ...docker });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Docker has no nvidia runtime (NVIDIA Container Toolkit missing or not configured)');
  });
});

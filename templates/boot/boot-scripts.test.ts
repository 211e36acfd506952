import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOOT_DIR, BUNDLED_BOOT_SCRIPTS, bootScriptSource, bundledBootScript } from '../src/boot-scripts.js';
import { bash, LIBRARIES, removeBashRuns } from './bash-harness.js';

afterEach(removeBashRuns);

describe('boot scripts', () => {
  const userData = ['services-stub.sh', 'worker-stub.sh', 'nat.sh'];
  const scripts = [...userData, ...BUNDLED_BOOT_SCRIPTS, ...readdirSync(join(BOOT_DIR, 'lib')).map((f) => `lib/${f}`)];

  // shellcheck over every script is work, not waiting: 11 s at load 15, so room beyond the 30 s default.
  it('pass shellcheck as files', { timeout: 120_000 }, () => {
    const result = spawnSync('shellcheck', ['-x', ...scripts], { cwd: BOOT_DIR, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(userData)('%s passes shellcheck as the instance runs it (libraries inlined, values substituted)', (file) => {
    const text = readFileSync(join(BOOT_DIR, file), 'utf8');
    const names = [...text.matchAll(/"\$\{([A-Z][A-Z0-9_]*):\?\}"/g)].map((m) => m[1]!);
    const asRun = bootScriptSource(file, names)
      .replace(/^export ([A-Z][A-Z0-9_]*)='\$\{[A-Z][A-Z0-9_]*\}'$/gm, "export $1='value'")
      .replaceAll('${!', '${');
    const result = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: asRun, encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(BUNDLED_BOOT_SCRIPTS)('%s passes shellcheck as the agent bundle carries it (libraries inlined)', (file) => {
    const result = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: bundledBootScript(file), encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  describe('find_volume_device', () => {
    it('finds a Nitro (NVMe) volume by its id', () => {
      const run = bash('find_volume_device vol-0abc123', {}, (dir) => {
        mkdirSync(join(dir, 'dev/disk/by-id'), { recursive: true });
        writeFileSync(join(dir, 'dev/nvme1n1'), '');
        symlinkSync('../../nvme1n1', join(dir, 'dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc123'));
      });
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe(join(run.dir, 'dev/nvme1n1'));
    });

    it('falls back to the Xen device name', () => {
      const run = bash('find_volume_device vol-0abc123', {}, (dir) => {
        mkdirSync(join(dir, 'dev'));
        writeFileSync(join(dir, 'dev/xvdf'), '');
      });
      expect(run.stdout.trim()).toBe(join(run.dir, 'dev/xvdf'));
    });

    it('fails when no device is there yet', () => {
      expect(bash('find_volume_device vol-0abc123', {}).status).toBe(1);
    });

    it('is waited for until the device appears, within the bound', () => {
      const run = bash('wait_for_volume_device vol-0abc123 5', {
        sleep: 'n=$(grep -c "^sleep" "$CALLS"); if [ "$n" -ge 2 ]; then mkdir -p "$DEV_ROOT" && touch "$DEV_ROOT/xvdf"; fi',
      });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.startsWith('sleep'))).toHaveLength(2);
    });

    it('gives up after the bound with a reason', () => {
      const run = bash('wait_for_volume_device vol-0abc123 3', { sleep: '' });
      expect(run.status).toBe(1);
      expect(run.calls.filter((c) => c.startsWith('sleep'))).toHaveLength(3);
      expect(run.stderr).toContain('no block device for volume vol-0abc123 after 3 tries');
    });
  });

  describe('format_decision', () => {
    const blkid = (type: string, rc: number) => ({ blkid: `[ -n "${type}" ] && echo "${type}"; exit ${rc}` });

    it('formats a device with no signature at all (blkid exit 2)', () => {
      expect(bash('format_decision /dev/xvdf', blkid('', 2)).stdout.trim()).toBe('format');
    });
    it('keeps a device that has a filesystem', () => {
      expect(bash('format_decision /dev/xvdf', blkid('xfs', 0)).stdout.trim()).toBe('keep xfs');
    });
    it('refuses a device with a signature but no filesystem (a partition table)', () => {
      const run = bash('format_decision /dev/xvdf', blkid('', 0));
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('refusing to format');
    });
    it('refuses to guess when blkid fails', () => {
      const run = bash('format_decision /dev/xvdf', blkid('', 4));
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('blkid failed on /dev/xvdf (exit 4)');
    });
  });

  describe('prepare_data_volume', () => {
    const fakes = (type: string, rc: number) => ({
      blkid: `case "$*" in *TYPE*) [ -n "${type}" ] && echo "${type}"; exit ${rc};; *UUID*) echo 1111-2222;; esac`,
      'mkfs.xfs': '',
      mountpoint: 'exit 1',
      mount: '',
    });

    it('formats a blank volume, mounts it by UUID with nofail', () => {
      const run = bash('touch "$FSTAB" && prepare_data_volume /dev/nvme1n1 "$HOME/data"', fakes('', 2));
      expect(run.status).toBe(0);
      expect(run.calls).toContain('mkfs.xfs -L benchtop-data /dev/nvme1n1');
      expect(readFileSync(join(run.dir, 'fstab'), 'utf8')).toBe(`UUID=1111-2222 ${run.dir}/data xfs defaults,nofail,x-systemd.device-timeout=30s 0 2\n`);
      expect(run.calls).toContain(`mount ${run.dir}/data`);
    });

    it('never formats a volume that has a filesystem, and keeps its type', () => {
      const run = bash('touch "$FSTAB" && prepare_data_volume /dev/nvme1n1 "$HOME/data"', fakes('ext4', 0));
      expect(run.status).toBe(0);
      expect(run.calls.some((c) => c.startsWith('mkfs'))).toBe(false);
      expect(readFileSync(join(run.dir, 'fstab'), 'utf8')).toContain(' ext4 defaults,nofail');
    });

    it('replaces an earlier fstab line for the mount point and keeps the others', () => {
      const run = bash('prepare_data_volume /dev/nvme1n1 "$HOME/data" && prepare_data_volume /dev/nvme1n1 "$HOME/data"', fakes('xfs', 0), (dir) => {
        writeFileSync(join(dir, 'fstab'), `UUID=root / xfs defaults 0 0\nUUID=old ${dir}/data xfs defaults 0 2\n`);
      });
      const lines = readFileSync(join(run.dir, 'fstab'), 'utf8').trim().split('\n');
      expect(lines).toEqual(['UUID=root / xfs defaults 0 0', `UUID=1111-2222 ${run.dir}/data xfs defaults,nofail,x-systemd.device-timeout=30s 0 2`]);
    });

    it('stops before mounting when the device cannot be judged', () => {
      const run = bash('touch "$FSTAB" && prepare_data_volume /dev/nvme1n1 "$HOME/data"', fakes('', 0));
      expect(run.status).toBe(1);
      expect(run.calls.some((c) => c.startsWith('mkfs') || c.startsWith('mount '))).toBe(false);
    });
  });

  describe('attach_volume', () => {
    it('waits while the old instance holds the volume, then attaches it once', () => {
      const aws = [
        'n=$(grep -c "describe-volumes" "$CALLS")',
        'case "$1 $2" in',
        '  "ec2 describe-volumes") if [ "$n" -le 2 ]; then echo i-old; elif [ "$n" -eq 3 ]; then echo None; else echo i-new; fi;;',
        'esac',
      ].join('\n');
      const run = bash('attach_volume vol-1 i-new 10', { aws, sleep: '' });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.includes('attach-volume'))).toEqual(['aws ec2 attach-volume --volume-id vol-1 --instance-id i-new --device /dev/sdf']);
    });

    it('gives up after the bound when the volume never frees', () => {
      const run = bash('attach_volume vol-1 i-new 3', { aws: 'echo i-old', sleep: '' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('volume vol-1 is not attached to i-new after 3 tries');
    });
  });

  describe('worker token and services interface', () => {
    it('retries reading the worker token until the services agent has replaced the placeholder with it', () => {
      // First no parameter, then the stack's String placeholder, then the agent's SecureString.
      const aws = 'n=$(grep -c "get-parameter" "$CALLS"); if [ "$n" -lt 2 ]; then echo ParameterNotFound >&2; exit 254; elif [ "$n" -lt 4 ]; then printf "String\\tpending\\n"; else printf "SecureString\\ttok-123\\n"; fi';
      const run = bash('token=$(retry 6 read_token_parameter /benchtop/lab/worker-token) && echo "got $token"', { aws, sleep: '' });
      expect(run.stdout.trim()).toBe('got tok-123');
      expect(run.calls.filter((c) => c.includes('get-parameter'))).toHaveLength(4);
      expect(run.stderr).toContain("/benchtop/lab/worker-token is still the stack's placeholder");
      expect(run.calls[0]).toBe('aws ssm get-parameter --with-decryption --name /benchtop/lab/worker-token --query [Parameter.Type, Parameter.Value] --output text');
    });

    it('attaches the services interface as the second device, once it is free', () => {
      const aws = 'n=$(grep -c "describe-network-interfaces" "$CALLS"); if [ "$n" -le 1 ]; then echo i-old; elif [ "$n" -eq 2 ]; then echo None; else echo i-new; fi';
      const run = bash('attach_interface eni-1 i-new 10', { aws, sleep: '' });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.includes('attach-network-interface'))).toEqual(['aws ec2 attach-network-interface --network-interface-id eni-1 --instance-id i-new --device-index 1']);
    });

    it('gives up on the interface after the bound', () => {
      const run = bash('attach_interface eni-1 i-new 2', { aws: 'echo i-old', sleep: '' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('interface eni-1 is not attached to i-new after 2 tries');
    });
  });

  describe('drain on scale-in', () => {
    const curl = [
      'case "$*" in',
      '  *api/token*) echo token;;',
      '  *target-lifecycle-state*) n=$(grep -c "target-lifecycle-state" "$CALLS"); if [ "$n" -lt 3 ]; then echo InService; else echo Terminated; fi;;',
      '  *instance-id*) echo i-0abc;;',
      'esac',
    ].join('\n');

    it('waits until the group marks the instance for termination', () => {
      const run = bash('wait_for_termination', { curl, sleep: '' });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.startsWith('sleep'))).toHaveLength(2);
      expect(run.calls.find((c) => c.includes('target-lifecycle-state'))).toContain('X-aws-ec2-metadata-token: token');
    });

    it('stops the worker (its drain) before letting the group continue', () => {
      const aws = 'case "$2" in describe-auto-scaling-instances) echo benchtop-cpu-asg;; esac';
      const run = bash('drain_and_continue benchtop-drain benchtop-worker', { curl, aws, systemctl: '' });
      expect(run.status).toBe(0);
      const order = run.calls.filter((c) => c.startsWith('systemctl') || c.startsWith('aws autoscaling complete'));
      expect(order).toEqual([
        'systemctl stop benchtop-worker',
        'aws autoscaling complete-lifecycle-action --lifecycle-hook-name benchtop-drain --auto-scaling-group-name benchtop-cpu-asg --instance-id i-0abc --lifecycle-action-result CONTINUE',
      ]);
    });

    it('installs a standalone watcher that passes shellcheck, and its unit', () => {
      const run = bash('mkdir -p "$SYSTEMD_DIR" && install_drain_watcher benchtop-drain benchtop-worker /etc/benchtop/worker.env', {});
      expect(run.status).toBe(0);
      const watcher = join(run.dir, 'lib/drain-watch');
      const check = spawnSync('shellcheck', [watcher], { encoding: 'utf8' });
      expect(check.stdout).toBe('');
      expect(readFileSync(watcher, 'utf8').trim().split('\n').at(-1)).toBe("wait_for_termination 0 && drain_and_continue 'benchtop-drain' 'benchtop-worker'");
      expect(readFileSync(join(run.dir, 'benchtop-drain.service'), 'utf8')).toContain(`ExecStart=${watcher}`);
    });
  });

  it('sources every library in these tests', () => {
    expect([...LIBRARIES].sort()).toEqual(readdirSync(join(BOOT_DIR, 'lib')).sort());
  });

  describe('drain grace from the lifecycle hook', () => {
    it('fits the grace and the stop timeout inside the hook, with room to hand back and complete', () => {
      expect(bash('drain_timings 3600', {}).stdout.trim()).toBe('3300000 3480');
    });

    it.each(['300', '', '1h'])('refuses a hook timeout of %j', (value) => {
      const run = bash(`drain_timings '${value}'`, {});
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`the drain hook's timeout must be at least 600 seconds, got '${value}'`);
    });

    it('waits for termination within a bound when given one', () => {
      const curl = 'case "$*" in *api/token*) echo token;; *) echo InService;; esac';
      const run = bash('wait_for_termination 3', { curl, sleep: '' });
      expect(run.status).toBe(1);
      expect(run.calls.filter((c) => c.includes('target-lifecycle-state'))).toHaveLength(3);
    });
  });

  describe('a worker whose boot failed', () => {
    const curl = [
      'case "$*" in',
      '  *api/token*) echo token;;',
      '  *instance-id*) echo i-0abc;;',
      '  *target-lifecycle-state*) if grep -q set-instance-health "$CALLS"; then echo Terminated; else echo InService; fi;;',
      'esac',
    ].join('\n');

    it('is marked Unhealthy, then lets its termination go on at once instead of after the hook', () => {
      const aws = 'case "$2" in describe-auto-scaling-instances) echo benchtop-cpu-asg;; esac';
      const run = bash('leave_group_after_failed_boot benchtop-drain', { curl, aws, systemctl: '', sleep: '' });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => c.startsWith('aws autoscaling') && !c.includes('describe'))).toEqual([
        'aws autoscaling set-instance-health --instance-id i-0abc --health-status Unhealthy --no-should-respect-grace-period',
        'aws autoscaling complete-lifecycle-action --lifecycle-hook-name benchtop-drain --auto-scaling-group-name benchtop-cpu-asg --instance-id i-0abc --lifecycle-action-result CONTINUE',
      ]);
      expect(run.calls).not.toContain('systemctl poweroff');
    });

    it('powers off when the group cannot be told (the EC2 health check then replaces it)', () => {
      const aws = 'echo "An error occurred (AccessDenied) when calling the SetInstanceHealth operation" >&2; exit 254';
      const run = bash('leave_group_after_failed_boot benchtop-drain', { curl, aws, systemctl: '', sleep: '' });
      expect(run.calls.filter((c) => c.includes('set-instance-health'))).toHaveLength(3);
      expect(run.calls.at(-1)).toBe('systemctl poweroff');
      expect(run.stderr).toContain('could not hand this instance back to its group; powering off');
    });

    it('says which step and which command failed', () => {
      const run = bash('trap "boot_failure_reason \\$?" EXIT; set -e; boot_step "mounting EFS"; f() { false; }; f; echo unreachable', {});
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('benchtop: boot: mounting EFS');
      expect(run.stdout.trim().split('\n').at(-1)).toBe('boot failed while mounting EFS (exit 1) at: false; see /var/log/benchtop-boot.log');
    });
  });

  describe('service users', () => {
    const getent = 'line=$(grep "^$2:" "$HOME/group") || exit 2; echo "$line"';
    const id = 'line=$(grep "^$2:" "$HOME/passwd") || exit 1; case "$1" in -u) echo "$line" | cut -d: -f3;; -g) echo "$line" | cut -d: -f4;; esac';

    it('creates the user and its group with fixed ids', () => {
      const run = bash('touch "$HOME/group" "$HOME/passwd" && ensure_service_user benchtop "$BENCHTOP_UID" /var/lib/benchtop', { getent, id, groupadd: '', useradd: '' });
      expect(run.status).toBe(0);
      expect(run.calls.filter((c) => /^(group|user)add/.test(c))).toEqual([
        'groupadd --system --gid 9100 benchtop',
        'useradd --system --uid 9100 --gid 9100 --home-dir /var/lib/benchtop --no-create-home --shell /sbin/nologin benchtop',
      ]);
    });

    it('moves a user an older image created with another id, and leaves a right one alone', () => {
      const setup = (ids: string) => (dir: string) => {
        writeFileSync(join(dir, 'group'), `benchtop:x:${ids}:\n`);
        writeFileSync(join(dir, 'passwd'), `benchtop:x:${ids}:${ids}::/var/lib/benchtop:/sbin/nologin\n`);
      };
      const moved = bash('ensure_service_user benchtop 9100 /var/lib/benchtop', { getent, id, groupmod: '', usermod: '' }, setup('992'));
      expect(moved.calls.filter((c) => /^(group|user)mod/.test(c))).toEqual(['groupmod --gid 9100 benchtop', 'usermod --uid 9100 --gid 9100 benchtop']);
      const kept = bash('ensure_service_user benchtop 9100 /var/lib/benchtop', { getent, id, groupmod: '', usermod: '' }, setup('9100'));
      expect(kept.status).toBe(0);
      expect(kept.calls.filter((c) => /^(group|user)(mod|add)/.test(c))).toEqual([]);
    });

    it('gives the data to the fixed id only when it is not already theirs', () => {
      const run = bash('own_tree "$HOME/data" 9100 && own_tree "$HOME/data" 9100', {}, (dir) => {
        mkdirSync(join(dir, 'data/capsules'), { recursive: true });
        writeFileSync(join(dir, 'data/capsules/repo.git'), '');
        writeFileSync(join(dir, 'data/benchtop.db'), '');
        chownSync(join(dir, 'data'), 992, 992);
        chownSync(join(dir, 'data/benchtop.db'), 992, 992);
      });
      expect(run.status).toBe(0);
      expect(run.stderr.match(/giving it to 9100:9100/g)).toHaveLength(1);
      for (const f of ['data', 'data/capsules', 'data/capsules/repo.git', 'data/benchtop.db']) {
        expect(statSync(join(run.dir, f))).toMatchObject({ uid: 9100, gid: 9100 });
      }
    });
  });

  describe('growing the data filesystem', () => {
    const findmnt = (type: string) => ({ findmnt: `case "$*" in *FSTYPE*) [ -n "${type}" ] && echo ${type} || exit 1;; *SOURCE*) echo /dev/nvme1n1;; esac` });

    it('grows XFS by its mount point and ext4 by its device', () => {
      expect(bash('grow_filesystem /var/lib/benchtop', { ...findmnt('xfs'), xfs_growfs: '' }).calls).toContain('xfs_growfs /var/lib/benchtop');
      expect(bash('grow_filesystem /var/lib/benchtop', { ...findmnt('ext4'), resize2fs: '' }).calls).toContain('resize2fs /dev/nvme1n1');
    });

    it('fails when nothing is mounted there', () => {
      const run = bash('grow_filesystem /var/lib/benchtop', { ...findmnt(''), xfs_growfs: '' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('nothing is mounted at /var/lib/benchtop');
      expect(run.calls.some((c) => c.startsWith('xfs_growfs'))).toBe(false);
    });

    it('installs a standalone grower run at every boot before the services, and every 10 minutes', () => {
      const run = bash('install_filesystem_growth /var/lib/benchtop benchtop-services', {});
      expect(run.status).toBe(0);
      const script = join(run.dir, 'lib/grow-data');
      expect(spawnSync('shellcheck', [script], { encoding: 'utf8' }).stdout).toBe('');
      const service = readFileSync(join(run.dir, 'benchtop-grow-data.service'), 'utf8');
      for (const line of ['RequiresMountsFor=/var/lib/benchtop', 'Before=benchtop-services.service', 'Type=oneshot', `ExecStart=${script}`, 'WantedBy=multi-user.target']) expect(service).toContain(line);
      expect(readFileSync(join(run.dir, 'benchtop-grow-data.timer'), 'utf8')).toContain('OnUnitActiveSec=10min');
    });
  });
});

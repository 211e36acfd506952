import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bootScriptSource } from '../src/boot-scripts.js';

// Runs a boot script as an instance would — the user data text after Fn::Sub, as root — inside
// a temporary root (bubblewrap: the host's /usr read-only but for /usr/local, everything else
// the test's own folder, no network). Every command that would touch the machine or AWS is a stand-in on PATH
// that appends its argv to /fake/calls. Stand-ins marked root-only refuse, as the real commands
// do, when run for a non-root user (runuser sets FAKE_USER): the privilege boundary the agents
// live behind is checked, not assumed.

export interface StandIn {
  /** Bash run after the call is recorded; "$@" are the arguments. */
  body: string;
  /** Refuses (exit 4, "Permission denied (you must be root)") under runuser. */
  rootOnly?: boolean;
}

export interface TempRootRun {
  status: number | null;
  /** Everything the boot printed (it also tees it to /var/log/benchtop-boot.log). */
  output: string;
  /** One line per stand-in call: "name args…", prefixed "[user] " when run for a non-root user. */
  calls: string[];
  /** The temporary root, for reading what the boot wrote (root.path('/etc/benchtop/worker.env')). */
  path: (absolute: string) => string;
}

export interface TempRootOptions {
  /** Boot file in templates/boot/ (services.sh, worker.sh, nat.sh). */
  file: string;
  /** The launch template's Variables, as Fn::Sub would substitute them. */
  variables: Record<string, string>;
  standIns: Record<string, StandIn>;
  /** Stand-ins placed at an absolute path rather than on PATH (/opt/aws/bin/cfn-signal). */
  placed?: Record<string, StandIn>;
  /** Called with the root's host path before the boot runs (files the image would have). */
  setup?: (root: string) => void;
  env?: Record<string, string>;
}

const STANDIN_DIR = '/fake/bin';
const CALLS = '/fake/calls';

/** What Fn::Sub makes of the template's `Fn::Sub: [script, Variables]`. */
export function userData(file: string, variables: Record<string, string>): string {
  const text = bootScriptSource(file, Object.keys(variables));
  return text.replace(/\$\{([A-Za-z0-9_:.]+)\}/g, (whole, name: string) => variables[name] ?? whole).replaceAll('${!', '${');
}

function standInScript(name: string, standIn: StandIn): string {
  const refuse = standIn.rootOnly
    ? `if [ -n "\${FAKE_USER:-}" ]; then echo "${name}: Permission denied (you must be root)" >&2; exit 4; fi\n`
    : '';
  return `#!/bin/bash\necho "\${FAKE_USER:+[\$FAKE_USER] }${name} $*" >>${CALLS}\n${refuse}${standIn.body}\n`;
}

function writeExecutable(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

const dirs: string[] = [];

/** Removes every temporary root made so far (call from afterEach). */
export function removeTempRoots(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function bootInTempRoot(options: TempRootOptions): TempRootRun {
  const root = mkdtempSync(join(tmpdir(), 'benchtop-root-'));
  dirs.push(root);
  const path = (absolute: string) => join(root, absolute);
  for (const dir of ['etc/systemd/system', 'tmp', 'var/log', 'run', 'home', 'opt', 'mnt', 'fake/state', 'root', 'fake/usr-local']) mkdirSync(path(dir), { recursive: true });
  writeFileSync(path('/etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(path('/etc/group'), 'root:x:0:\ndocker:x:990:\n');
  writeFileSync(path('/etc/nsswitch.conf'), 'passwd: files\ngroup: files\n');
  writeFileSync(path('/etc/fstab'), '');
  writeFileSync(path(CALLS), '');
  for (const [name, standIn] of Object.entries(options.standIns)) writeExecutable(path(join(STANDIN_DIR, name)), standInScript(name, standIn));
  for (const [file, standIn] of Object.entries(options.placed ?? {})) writeExecutable(path(file), standInScript(file.split('/').at(-1)!, standIn));
  writeFileSync(path('/user-data'), userData(options.file, options.variables));
  options.setup?.(root);
  const result = spawnSync(
    'bwrap',
    [
      '--bind', root, '/',
      '--ro-bind', '/usr', '/usr',
      '--bind', path('/fake/usr-local'), '/usr/local',
      '--ro-bind', '/etc/alternatives', '/etc/alternatives',
      '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin',
      '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64',
      '--proc', '/proc', '--dev', '/dev',
      '--unshare-net', '--die-with-parent',
      '--chdir', '/',
      '/usr/bin/bash', '/user-data',
    ],
    {
      env: { PATH: `${STANDIN_DIR}:/usr/local/bin:/usr/bin:/usr/sbin`, HOME: '/root', RETRY_SECONDS: '0', POLL_SECONDS: '0', FAKE_STATE: '/fake/state', ...options.env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (result.error) throw result.error;
  const calls = readFileSync(path(CALLS), 'utf8').split('\n').filter(Boolean);
  return { status: result.status, output: result.stdout + result.stderr, calls, path };
}

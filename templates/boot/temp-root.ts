import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** A fake iptables/ip6tables keeping each chain's `-A` lines in a file under the folder `stateDir` names (a shell expression). */
export function iptablesStandInBody(stateDir: string): string {
  return [
    `state="${stateDir}/$(basename "$0")"; mkdir -p "$state"`,
    'case "$1" in',
    '  -n) [ -f "$state/$3" ];;',
    '  -N) [ ! -f "$state/$2" ] && : >"$state/$2";;',
    '  -C) chain=$2; shift 2; grep -qxF -- "-A $chain $*" "$state/$chain" 2>/dev/null;;',
    '  -I) chain=$2; shift 2; { echo "-A $chain $*"; cat "$state/$chain" 2>/dev/null || true; } >"$state/.new" && mv "$state/.new" "$state/$chain";;',
    '  -S) echo "-N $2"; cat "$state/$2";;',
    'esac',
  ].join('\n');
}

/** iptables/ip6tables with their chains under $FAKE_STATE; root only, as the real ones. */
export const IPTABLES_STAND_IN: StandIn = { rootOnly: true, body: iptablesStandInBody('$FAKE_STATE') };

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
  // A user is named in the record and refused root-only commands when runuser set FAKE_USER, or
  // when the stand-in really runs as another user (an agent started as its unit's User=).
  const who = `who=\${FAKE_USER:-}; [ "$(id -u)" = 0 ] || who=\${who:-$(id -un 2>/dev/null || id -u)}\n`;
  const refuse = standIn.rootOnly ? `if [ -n "$who" ]; then echo "${name}: Permission denied (you must be root)" >&2; exit 4; fi\n` : '';
  return `#!/bin/bash\n${who}echo "\${who:+[$who] }${name} $*" >>${CALLS}\n${refuse}${standIn.body}\n`;
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

/** What a temporary root holds before anything runs in it. */
export interface TempRootLayout {
  /** The text /user-data holds. */
  userData: string;
  standIns: Record<string, StandIn>;
  placed?: Record<string, StandIn>;
  setup?: (root: string) => void;
}

/** Makes a temporary root (removed by removeTempRoots); returns its host path. */
export function makeTempRoot(layout: TempRootLayout): string {
  const root = mkdtempSync(join(tmpdir(), 'benchtop-root-'));
  dirs.push(root);
  const path = (absolute: string) => join(root, absolute);
  for (const dir of ['etc/systemd/system', 'tmp', 'var/log', 'run', 'home', 'opt', 'mnt', 'fake/state', 'root', 'fake/usr-local']) mkdirSync(path(dir), { recursive: true });
  // An instance's / and /tmp: users other than root get about.
  chmodSync(root, 0o755);
  chmodSync(path('/tmp'), 0o1777);
  // In the root itself rather than by bwrap --symlink, which refuses links left by an earlier run in the same root.
  for (const dir of ['bin', 'sbin', 'lib', 'lib64']) symlinkSync(`usr/${dir}`, path(dir));
  writeFileSync(path('/etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(path('/etc/group'), 'root:x:0:\ndocker:x:990:\n');
  writeFileSync(path('/etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files\n');
  writeFileSync(path('/etc/fstab'), '');
  // Writable by everyone, so a stand-in called by an unprivileged process is recorded too.
  writeFileSync(path(CALLS), '', { mode: 0o666 });
  chmodSync(path(CALLS), 0o666);
  for (const [name, standIn] of Object.entries(layout.standIns)) writeExecutable(path(join(STANDIN_DIR, name)), standInScript(name, standIn));
  for (const [file, standIn] of Object.entries(layout.placed ?? {})) writeExecutable(path(file), standInScript(file.split('/').at(-1)!, standIn));
  writeFileSync(path('/user-data'), layout.userData);
  layout.setup?.(root);
  return root;
}

/**
 * bwrap's arguments that make `root` the file system: the host's /usr read-only, the rest the
 * root's own; `readOnly` folders of the root are bound read-only (a unit's ProtectSystem).
 */
export function tempRootMounts(root: string, readOnly: string[] = []): string[] {
  return [
    '--bind', root, '/',
    ...readOnly.flatMap((dir) => ['--ro-bind', join(root, dir), dir]),
    '--ro-bind', '/usr', '/usr',
    '--bind', join(root, '/fake/usr-local'), '/usr/local',
    '--ro-bind', '/etc/alternatives', '/etc/alternatives',
    '--proc', '/proc', '--dev', '/dev',
  ];
}

/** The environment a boot starts with (stand-ins first on PATH, no waiting between retries). */
export const BOOT_ENV = { PATH: `${STANDIN_DIR}:/usr/local/bin:/usr/bin:/usr/sbin`, HOME: '/root', RETRY_SECONDS: '0', POLL_SECONDS: '0', FAKE_STATE: '/fake/state' };

/** The stand-ins' calls so far, one line each. */
export function recordedCalls(root: string): string[] {
  return readFileSync(join(root, CALLS), 'utf8').split('\n').filter(Boolean);
}

export function bootInTempRoot(options: TempRootOptions): TempRootRun {
  const root = makeTempRoot({ ...options, userData: userData(options.file, options.variables) });
  const path = (absolute: string) => join(root, absolute);
  const result = spawnSync('bwrap', [...tempRootMounts(root), '--unshare-net', '--die-with-parent', '--chdir', '/', '/usr/bin/bash', '/user-data'], {
    env: { ...BOOT_ENV, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: result.stdout + result.stderr, calls: recordedCalls(root), path };
}

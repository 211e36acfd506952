import { spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import type { RunMounts } from './runtime.js';

// What a program needs of the host, read-only: the system's programs and libraries (or, on
// merged-/usr systems, the symlinks to them) and a few files of /etc. Nothing else of the host
// exists in the sandbox: no home folder, no /run sockets, no /srv, /opt, /mnt or /media.
const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const ETC_FILES = [
  'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'nsswitch.conf', 'passwd', 'group', 'hosts', 'host.conf', 'gai.conf',
  'ssl', 'ca-certificates', 'ca-certificates.conf', 'pki', 'crypto-policies', 'alternatives', 'localtime', 'timezone',
  'os-release', 'debian_version', 'mime.types', 'protocols', 'services',
];
// Only a run with network needs to resolve names.
const NETWORK_ETC_FILES = ['resolv.conf'];
// Always an empty tmpfs, whatever else is hidden: sockets (docker.sock, D-Bus) live here.
const RUNTIME_PATHS = ['/run', '/var/run'];

export interface BubblewrapSupport {
  /** bwrap may give the run a user namespace of its own (so root in it is no root outside). */
  userns: boolean;
}

const HARDENING = ['--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
const USERNS = ['--unshare-user', '--disable-userns'];

let support: BubblewrapSupport | null | undefined;

function works(flags: readonly string[]): boolean {
  const probe = spawnSync('bwrap', ['--unshare-all', ...flags, ...HARDENING, '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

/**
 * Whether bubblewrap is installed and may create namespaces here (it may not inside many
 * containers, or with unprivileged user namespaces disabled), and with which. Probed once.
 */
export function bubblewrapSupport(): BubblewrapSupport | null {
  if (support !== undefined) return support;
  if (works(USERNS)) support = { userns: true };
  else if (works([])) support = { userns: false };
  else support = null;
  return support;
}

export function probeBubblewrap(): boolean {
  return bubblewrapSupport() !== null;
}

export interface SandboxOptions {
  mounts: RunMounts;
  network: boolean;
  /** The worker's home folder: the run gets an empty one there. */
  home: string | undefined;
  /** Host folders the run must not see even if a system path holds them (work folder, tokens, app data). */
  hide: readonly string[];
  /** Host folders bound read-only at their own path, over the hidden ones (`--expose`). */
  expose: readonly string[];
  support: BubblewrapSupport;
}

function systemBinds(): string[] {
  const binds: string[] = [];
  for (const path of SYSTEM_PATHS) {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isSymbolicLink()) binds.push('--symlink', readlinkSync(path), path);
    else if (stat.isDirectory()) binds.push('--ro-bind', path, path);
  }
  return binds;
}

/**
 * A folder that may be covered with an empty tmpfs: an absolute path that is neither the root
 * nor holds a system path (covering /usr would leave the run with no programs), nor lies in the
 * run's own /tmp (bwrap would create it in the host's scratch folder).
 */
function coverable(path: string): boolean {
  if (!isAbsolute(path)) return false;
  const p = normalize(path).replace(/\/+$/, '');
  if (p === '' || p === '/tmp' || p.startsWith('/tmp/')) return false;
  return ![...SYSTEM_PATHS, '/etc', '/proc', '/dev'].some((system) => system === p || system.startsWith(`${p}/`));
}

/**
 * bwrap argv around a command. The root is an empty tmpfs with an allow-list of host paths bound
 * read-only, then remounted read-only: binding "/" itself would make bwrap create /code, /data
 * and /results on the host's real root. Every namespace is new (network too, unless the run asked
 * for it), capabilities are dropped, and the run dies with the worker (--die-with-parent; the
 * pid namespace ends with its first process, so nothing the run started outlives it).
 */
export function bubblewrapArgs(options: SandboxOptions, command: readonly string[]): string[] {
  const args = ['--tmpfs', '/', ...systemBinds()];
  for (const name of [...ETC_FILES, ...(options.network ? NETWORK_ETC_FILES : [])]) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
  args.push('--dev', '/dev', '--proc', '/proc', '--bind', options.mounts.scratch, '/tmp');
  const covered = new Set<string>();
  for (const path of [...RUNTIME_PATHS, ...(options.home ? [options.home] : []), ...options.hide]) {
    const p = normalize(path);
    if (!coverable(p) || covered.has(p)) continue;
    covered.add(p);
    args.push('--tmpfs', p);
  }
  for (const path of options.expose) if (isAbsolute(path)) args.push('--ro-bind-try', path, normalize(path));
  // Bind sources are read from the host's root, so hiding a folder does not hide the run's own
  // folders even when they live inside it.
  args.push(
    '--ro-bind', options.mounts.code, '/code',
    '--ro-bind', options.mounts.data, '/data',
    '--bind', options.mounts.results, '/results',
    '--remount-ro', '/',
    '--chdir', '/code',
    '--unshare-all',
    ...(options.support.userns ? USERNS : []),
    ...(options.network ? ['--share-net'] : []),
    ...HARDENING,
    '--', ...command,
  );
  return args;
}

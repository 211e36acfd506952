import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { RunMounts } from './runtime.js';

// Top-level host entries the sandbox gets fresh instead of bound: kernel file systems bwrap
// makes itself, a private /tmp, and the three names the run's folders are mounted at.
const NOT_BOUND = new Set(['proc', 'dev', 'sys', 'tmp', 'code', 'data', 'results']);

/**
 * Whether bubblewrap is installed and allowed to create namespaces here (it is not inside many
 * containers, or with unprivileged user namespaces disabled). Probed once per worker.
 */
export function probeBubblewrap(): boolean {
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

export interface SandboxOptions {
  mounts: RunMounts;
  network: boolean;
  /** Host folders the run must not see (the worker's own work folder, its token). */
  hide: readonly string[];
}

let rootBinds: string[] | null = null;

/** Binds of the host's top-level folders, read once: they do not change while a worker lives. */
function hostRoot(): string[] {
  if (rootBinds) return rootBinds;
  const binds: string[] = [];
  for (const name of readdirSync('/').sort()) {
    if (NOT_BOUND.has(name)) continue;
    const path = `/${name}`;
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isSymbolicLink()) binds.push('--symlink', readlinkSync(path), path);
    else if (stat.isDirectory()) binds.push('--ro-bind', path, path);
  }
  rootBinds = binds;
  return binds;
}

/**
 * bwrap argv around a command. The root is an empty tmpfs holding read-only binds of the host's
 * top-level folders, then remounted read-only: binding "/" itself would make bwrap create
 * /code, /data and /results on the host's real root.
 */
export function bubblewrapArgs(options: SandboxOptions, command: readonly string[]): string[] {
  const args = ['--tmpfs', '/', ...hostRoot()];
  args.push('--dev', '/dev', '--proc', '/proc', '--bind', options.mounts.scratch, '/tmp');
  // Bind sources are read from the host's root, so hiding a folder does not hide the run's own
  // folders even when they live inside it.
  for (const path of options.hide) args.push('--tmpfs', path);
  args.push(
    '--ro-bind', options.mounts.code, '/code',
    '--ro-bind', options.mounts.data, '/data',
    '--bind', options.mounts.results, '/results',
    '--remount-ro', '/',
    '--chdir', '/code',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    '--die-with-parent',
  );
  if (!options.network) args.push('--unshare-net');
  args.push('--', ...command);
  return args;
}

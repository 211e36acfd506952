import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PtySpec } from './local-pty.js';

// A terminal inside a run of the local sandbox. Its worker stages each run in
// <work>/runs/<runId>.<fencing token>/ (agents/worker/staging.ts), and that path is on the run's
// process: in bwrap's arguments (--bind …/results /results) when it is confined, in its
// RESULTS_DIR otherwise. Confined: the shell joins the run's namespaces with nsenter and sees what
// the run sees (/code, /data, /results, no home); not confined: a shell in the run's folders with
// its environment, which is all the run had too.

export type LocalRunShell =
  | { kind: 'namespaces'; pid: number; spec: PtySpec; note: string }
  | { kind: 'folders'; pid: number; spec: PtySpec; note: string };

const NAMESPACES: Record<string, string> = { user: '-U', mnt: '-m', net: '-n', ipc: '-i', uts: '-u', pid: '-p', cgroup: '-C' };

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function pids(proc: string): number[] {
  return readdirSync(proc).flatMap((name) => (/^\d+$/.test(name) ? [Number(name)] : []));
}

function argvOf(proc: string, pid: number): string[] {
  return (read(`${proc}/${pid}/cmdline`) ?? '').split('\0').filter((a) => a !== '');
}

function environOf(proc: string, pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of (read(`${proc}/${pid}/environ`) ?? '').split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

function parentOf(proc: string, pid: number): number | undefined {
  // The command name (field 2) may hold spaces and parentheses: read after its last ')'.
  const stat = read(`${proc}/${pid}/stat`);
  const rest = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest?.[1] === undefined ? undefined : Number(rest[1]);
}

function namespaceOf(proc: string, pid: number | 'self', ns: string): string | undefined {
  try {
    return readlinkSync(`${proc}/${pid}/ns/${ns}`);
  } catch {
    return undefined;
  }
}

/** The first descendant of `root` that lives in other namespaces than ours: the run inside bwrap. */
function confinedChild(proc: string, root: number, all: number[]): number | undefined {
  const own = namespaceOf(proc, 'self', 'mnt');
  const queue = [root];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard += 1) {
    const pid = queue.shift()!;
    if (pid !== root && namespaceOf(proc, pid, 'mnt') !== own) return pid;
    for (const child of all) if (parentOf(proc, child) === pid) queue.push(child);
  }
  return undefined;
}

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { darwin: 'macOS', win32: 'Windows', freebsd: 'FreeBSD', openbsd: 'OpenBSD' };

/** Whether this machine lists its processes where findLocalRun reads them (Linux's /proc). */
export function hasProcessTable(proc = '/proc'): boolean {
  return existsSync(join(proc, 'self'));
}

/**
 * Why a run terminal cannot be opened on a machine without /proc, and what to do instead: the
 * run's folders, which its worker stages under the sandbox's data folder
 * (<sandbox>/workers/w<n>/runs/<runId>.<fencing token>/ for the worker sandbox-w<n>).
 */
export function noProcessTable(runId: string, workerId: string, sandboxDir: string, platform: NodeJS.Platform = process.platform): { message: string; fix: string } {
  const os = OS_NAMES[platform] ?? 'this machine';
  const worker = /^sandbox-(w\d+)$/.exec(workerId)?.[1];
  const folder = worker ? join(sandboxDir, 'workers', worker, 'runs', `${runId}.*`) : join(sandboxDir, 'workers');
  return {
    message: `A terminal into a run of the local sandbox needs Linux: Benchtop finds the run's process, to join it, through /proc, which ${os} does not have.`,
    fix: `Open the run's folders in a terminal of your own instead: its results and scratch space are in ${folder} (cd there in Terminal or PowerShell). Its log is also on the run page while it runs.`,
  };
}

/** Finds the run's process on this machine and says how a shell joins it; undefined when it is not running here. */
export function findLocalRun(runId: string, options: { proc?: string; shellEnv?: Record<string, string> } = {}): LocalRunShell | undefined {
  const proc = options.proc ?? '/proc';
  if (!existsSync(proc)) return undefined;
  const marker = `/runs/${runId}.`;
  const all = pids(proc);
  const term = { TERM: 'xterm-256color', ...options.shellEnv };
  for (const pid of all) {
    const argv = argvOf(proc, pid);
    if (!argv[0]?.endsWith('bwrap') || !argv.some((a) => a.includes(marker))) continue;
    const inner = confinedChild(proc, pid, all);
    if (inner === undefined) continue;
    const flags = Object.entries(NAMESPACES).flatMap(([ns, flag]) => {
      const theirs = namespaceOf(proc, inner, ns);
      return theirs !== undefined && theirs !== namespaceOf(proc, 'self', ns) ? [flag] : [];
    });
    const env = { ...environOf(proc, inner), ...term };
    return {
      kind: 'namespaces',
      pid: inner,
      note: `Inside the run's sandbox: joined its namespaces with nsenter (pid ${inner}); you see /code, /data, /results as the run does.`,
      spec: {
        file: 'nsenter',
        // --preserve-credentials: keep our ids rather than become root of the run's user namespace;
        // setpriv then drops every capability, as the run itself has none.
        args: ['-t', String(inner), ...flags, '--preserve-credentials', '-r', '-w', '--', 'setpriv', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--', '/bin/sh'],
        cwd: '/',
        env,
      },
    };
  }
  for (const pid of all) {
    const env = environOf(proc, pid);
    if (!env.RESULTS_DIR?.includes(marker)) continue;
    const cwd = (() => {
      try {
        return readlinkSync(`${proc}/${pid}/cwd`);
      } catch {
        return dirname(env.RESULTS_DIR);
      }
    })();
    return {
      kind: 'folders',
      pid,
      note: "This run has no sandbox on this machine: the shell runs in the run's folders with its environment (CODE_DIR, DATA_DIR, RESULTS_DIR), not in namespaces of its own.",
      spec: { file: '/bin/sh', args: [], cwd, env: { ...env, ...term } },
    };
  }
  return undefined;
}

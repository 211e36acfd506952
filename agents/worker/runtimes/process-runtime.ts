import { spawn, type StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';
import { delimiter } from 'node:path';
import type { EnvironmentSpec } from '../../../common/protocol/capsules.js';
import type { RunIsolation } from '../../../common/protocol/runs.js';
import { canonicalEnvironment, environmentHash } from '../environment-hash.js';
import type { NativeEnvironments } from '../environments/native-environments.js';
import { bubblewrapArgs, bubblewrapSupport, type BubblewrapSupport } from './bubblewrap.js';
import { planLimits } from './resource-limits.js';
import { limitedArgs, supervisorArgs, WATCH_FD } from './run-supervisor.js';
import type { ChildExit, PreparedEnvironment, PrepareOptions, RunMounts, Runtime, RuntimeRequest, RunningChild } from './runtime.js';
import { probeSandboxExec, SANDBOX_EXEC, sandboxExecArgs } from './sandbox-exec.js';

// The only host variables a run inherits: enough to find programs (pyenv shims read HOME) and
// speak UTF-8, never the worker's token or cloud credentials.
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'PYENV_ROOT', 'PYENV_VERSION', 'SYSTEMROOT'];

export interface ProcessRuntimeOptions {
  /** Confine runs: 'auto' uses bubblewrap (Linux) or sandbox-exec (macOS) when they work; false never does. */
  isolation?: 'auto' | false;
  /** Folders a confined run must not see. */
  hide?: readonly string[];
  /** Host folders a confined run may read although they are not system paths (a conda or pyenv in the home folder). */
  expose?: readonly string[];
  /** Make each capsule's environment natively (environments/); absent: the host's programs, the spec only recorded. */
  environments?: NativeEnvironments;
}

type Confinement = { kind: 'bubblewrap'; support: BubblewrapSupport } | { kind: 'sandbox-exec' } | { kind: 'none' };

/** Rewrites /code, /data and /results where they start a path inside an argument. */
export function substituteMountPaths(arg: string, mounts: RunMounts): string {
  return arg.replace(/(^|[^A-Za-z0-9_.~/-])\/(code|data|results)(?=$|[^A-Za-z0-9_.-])/g, (_m, lead: string, name: 'code' | 'data' | 'results') => `${lead}${mounts[name]}`);
}

function confinement(options: ProcessRuntimeOptions): Confinement {
  if (options.isolation === false) return { kind: 'none' };
  if (process.platform === 'linux') {
    const support = bubblewrapSupport();
    if (support) return { kind: 'bubblewrap', support };
  }
  if (probeSandboxExec()) return { kind: 'sandbox-exec' };
  return { kind: 'none' };
}

function describe(kind: Confinement['kind']): string {
  return kind === 'none' ? 'process (no isolation on this machine)' : `process (${kind})`;
}

function summary(kind: Confinement['kind'], asked: boolean): string {
  const network = asked ? "network on (the host's network, its loopback services included)" : 'no network';
  if (kind === 'bubblewrap') {
    return `bubblewrap: the run sees the system's programs, /code, /data, /results and a private /tmp, and no home folder, app data or host sockets; ${network}`;
  }
  if (kind === 'sandbox-exec') {
    return `sandbox-exec: the run cannot read the home folder or the app data, connect to UNIX sockets or write outside /results and its scratch folder; it reads the rest of the file system; ${network}`;
  }
  const install = process.platform === 'linux' ? ' Install bubblewrap (apt install bubblewrap) to confine runs.' : '';
  return `no isolation on this machine: the run can read and write whatever the worker's user can (home folder, app data, tokens) and reach the network${asked ? '' : ', although it asked for none'}.${install}`;
}

export function createProcessRuntime(options: ProcessRuntimeOptions = {}): Runtime {
  const confine = confinement(options);
  const hide = options.hide ?? [];
  const root = process.getuid?.() === 0;
  return {
    name: 'process',
    description: describe(confine.kind),
    async prepareEnvironment(spec: EnvironmentSpec, log: (line: string) => void, prepare?: PrepareOptions): Promise<PreparedEnvironment> {
      if (options.environments) return options.environments.prepare(spec, log, prepare);
      // Installs nothing: the run uses what the host has, and the record says what it asked for.
      return {
        spec: canonicalEnvironment(spec),
        hash: environmentHash(spec),
        resolved: { fidelity: 'host', packages: [], skipped: [], summary: 'host programs; the spec is recorded, not installed' },
      };
    },
    async start(request: RuntimeRequest): Promise<RunningChild> {
      const env: Record<string, string> = {};
      for (const name of INHERITED_ENV) {
        const value = process.env[name];
        if (value !== undefined) env[name] = value;
      }
      const native = request.environment.native;
      if (native) {
        env.PATH = [...native.path, ...(env.PATH ? [env.PATH] : [])].join(delimiter);
        Object.assign(env, native.env);
      }
      Object.assign(env, request.env);
      const home = process.env.HOME;
      const expose = [...(options.expose ?? []), ...(native?.readOnly ?? [])];
      const limits = planLimits(request.resources, {
        processes: confine.kind === 'bubblewrap' && confine.support.userns,
        root,
        platform: process.platform,
      });
      const isolation: RunIsolation = {
        kind: confine.kind,
        network: confine.kind === 'none' ? true : request.network,
        summary: summary(confine.kind, request.network),
        limits: process.platform === 'win32' ? [] : limits.limits,
        unlimited: process.platform === 'win32' ? ['every limit: Windows runs have no wrapper to set them'] : limits.unlimited,
      };
      if (confine.kind === 'bubblewrap') {
        Object.assign(env, { CODE_DIR: '/code', DATA_DIR: '/data', RESULTS_DIR: '/results', TMPDIR: '/tmp' });
        const inner = ['/bin/sh', ...limitedArgs(limits.script, request.command)];
        const args = bubblewrapArgs({ mounts: request.mounts, network: request.network, home, hide, expose, support: confine.support }, inner);
        return spawnChild('bwrap', args, request.mounts.scratch, env, isolation, false);
      }
      const { code, data, results, scratch } = request.mounts;
      Object.assign(env, { CODE_DIR: code, DATA_DIR: data, RESULTS_DIR: results, TMPDIR: scratch });
      const command = request.command.map((a) => substituteMountPaths(a, request.mounts));
      if (command.length === 0) throw new Error('the run has an empty command');
      if (process.platform === 'win32') {
        const [file, ...args] = command as [string, ...string[]];
        return spawnChild(file, args, code, env, isolation, false);
      }
      const supervised = ['/bin/sh', ...supervisorArgs(limits.script, command)];
      if (confine.kind === 'sandbox-exec') {
        const args = sandboxExecArgs({ mounts: request.mounts, network: request.network, home, hide, expose }, supervised);
        return spawnChild(SANDBOX_EXEC, args, code, env, isolation, true);
      }
      const [file, ...args] = supervised as [string, ...string[]];
      return spawnChild(file, args, code, env, isolation, true);
    },
  };
}

/**
 * Spawns in its own process group so that signals reach everything the run starts. A supervised
 * child gets the worker's end of a socket pair on WATCH_FD (see run-supervisor.ts). Once the
 * group's leader has exited, whatever the run left behind in its group is killed: a run ends
 * with its command, as a container ends with its first process.
 */
function spawnChild(file: string, args: string[], cwd: string, env: Record<string, string>, isolation: RunIsolation, supervised: boolean): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = supervised ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'];
    const child = spawn(file, args, { cwd, env, detached: true, stdio });
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        // The group is already gone.
      }
    };
    const watch = supervised ? (child.stdio[WATCH_FD] as Socket) : null;
    child.once('exit', () => {
      signalGroup('SIGKILL');
      watch?.destroy();
    });
    const exit = new Promise<ChildExit>((done) => child.once('close', (exitCode, signal) => done({ exitCode, signal })));
    child.once('error', reject);
    child.once('spawn', () => {
      // Sub-millisecond wall clock, comparable across processes on this machine.
      const startedAt = performance.timeOrigin + performance.now();
      resolve({
        startedAt,
        stdout: child.stdout!,
        stderr: child.stderr!,
        exit,
        isolation,
        processGroup: child.pid as number,
        signal: signalGroup,
      });
    });
  });
}

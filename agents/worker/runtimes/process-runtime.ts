import { spawn } from 'node:child_process';
import type { EnvironmentSpec } from '../../protocol/capsules.js';
import { canonicalEnvironment, environmentHash } from '../environment-hash.js';
import { bubblewrapArgs, probeBubblewrap } from './bubblewrap.js';
import type { ChildExit, PreparedEnvironment, RunMounts, Runtime, RuntimeRequest, RunningChild } from './runtime.js';

// The only host variables a run inherits: enough to find programs (pyenv shims read HOME) and
// speak UTF-8, never the worker's token or cloud credentials.
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'PYENV_ROOT', 'PYENV_VERSION', 'SYSTEMROOT'];

export interface ProcessRuntimeOptions {
  /** Use bubblewrap: 'auto' probes once; false forces plain processes. */
  isolation?: 'auto' | false;
  /** Folders a sandboxed run must not see. */
  hide?: readonly string[];
}

/** Rewrites /code, /data and /results where they start a path inside an argument. */
export function substituteMountPaths(arg: string, mounts: RunMounts): string {
  return arg.replace(/(^|[^A-Za-z0-9_.~/-])\/(code|data|results)(?=$|[^A-Za-z0-9_.-])/g, (_m, lead: string, name: 'code' | 'data' | 'results') => `${lead}${mounts[name]}`);
}

export function createProcessRuntime(options: ProcessRuntimeOptions = {}): Runtime {
  const isolated = options.isolation !== false && probeBubblewrap();
  // The run's /tmp is its own scratch folder, so anything under the host's /tmp is hidden already.
  const hide = (options.hide ?? []).filter((path) => path !== '/tmp' && !path.startsWith('/tmp/'));
  return {
    name: 'process',
    description: isolated ? 'process (bubblewrap)' : 'process (no isolation)',
    // Installs nothing: the run uses what the host has, and the record says what it asked for.
    async prepareEnvironment(spec: EnvironmentSpec): Promise<PreparedEnvironment> {
      return { spec: canonicalEnvironment(spec), hash: environmentHash(spec) };
    },
    async start(request: RuntimeRequest): Promise<RunningChild> {
      const env: Record<string, string> = {};
      for (const name of INHERITED_ENV) {
        const value = process.env[name];
        if (value !== undefined) env[name] = value;
      }
      Object.assign(env, request.env);
      if (isolated) {
        Object.assign(env, { CODE_DIR: '/code', DATA_DIR: '/data', RESULTS_DIR: '/results', TMPDIR: '/tmp' });
        const args = bubblewrapArgs({ mounts: request.mounts, network: request.network, hide }, request.command);
        return spawnChild('bwrap', args, request.mounts.scratch, env);
      }
      const { code, data, results, scratch } = request.mounts;
      Object.assign(env, { CODE_DIR: code, DATA_DIR: data, RESULTS_DIR: results, TMPDIR: scratch });
      const [file, ...args] = request.command.map((a) => substituteMountPaths(a, request.mounts));
      if (!file) throw new Error('the run has an empty command');
      return spawnChild(file, args, code, env);
    },
  };
}

/** Spawns in its own process group so that signals reach everything the run starts. */
function spawnChild(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<ChildExit>((done) => child.once('close', (exitCode, signal) => done({ exitCode, signal })));
    child.once('error', reject);
    child.once('spawn', () => {
      // Sub-millisecond wall clock, comparable across processes on this machine.
      const startedAt = performance.timeOrigin + performance.now();
      const pid = child.pid as number;
      resolve({
        startedAt,
        stdout: child.stdout,
        stderr: child.stderr,
        exit,
        signal(signal) {
          try {
            process.kill(-pid, signal);
          } catch {
            // The group is already gone.
          }
        },
      });
    });
  });
}

import type { RunLimit } from '../../../common/protocol/runs.js';
import type { RunResources } from './runtime.js';

/** Processes one run may have at once where the limit can be set (docker's --pids-limit too). */
export const PROCESS_LIMIT = 4096;

export interface LimitOptions {
  /**
   * Whether RLIMIT_NPROC may be set: it counts every process of the user, so outside a user
   * namespace of its own it would count the user's browser and editor against the run.
   */
  processes: boolean;
  /** Root is exempt from RLIMIT_NPROC whatever it is set to. */
  root: boolean;
  /** macOS accepts RLIMIT_DATA but does not enforce it on the memory programs map. */
  platform: NodeJS.Platform;
}

export interface LimitPlan {
  /** sh lines that set the limits for the shell and what it then runs. */
  script: string;
  limits: RunLimit[];
  unlimited: string[];
}

/**
 * Per-process limits through sh's `ulimit` (dash, bash and macOS's sh all have -d, -t, -u), set
 * by the wrapper the run starts in, so they apply to the run and everything it starts. A limit
 * that cannot be set means a stricter hard limit is already there, so the run still starts.
 */
export function planLimits(resources: RunResources, options: LimitOptions): LimitPlan {
  const lines: string[] = [];
  const limits: RunLimit[] = [];
  const unlimited: string[] = [];
  if (resources.memoryMb !== undefined) {
    if (options.platform === 'darwin') {
      unlimited.push('memory: macOS does not enforce a data-size limit');
    } else {
      lines.push(`ulimit -d ${Math.round(resources.memoryMb * 1024)} 2>/dev/null`);
      limits.push({ resource: 'memory', value: resources.memoryMb, unit: 'MB', via: 'ulimit -d (RLIMIT_DATA), per process' });
    }
  }
  if (resources.timeoutSeconds !== undefined) {
    // A run may keep every CPU it asked for busy until its time limit, and no longer.
    const seconds = resources.timeoutSeconds * Math.max(1, Math.ceil(resources.cpus ?? 1));
    lines.push(`ulimit -t ${seconds} 2>/dev/null`);
    limits.push({ resource: 'cpu-time', value: seconds, unit: 's', via: 'ulimit -t (RLIMIT_CPU), per process' });
  }
  if (!options.processes) {
    unlimited.push('processes: the limit would count every process of the user, not only the run');
  } else if (options.root) {
    unlimited.push('processes: the worker runs as root, which the process limit does not bind');
  } else {
    lines.push(`ulimit -u ${PROCESS_LIMIT} 2>/dev/null`);
    limits.push({ resource: 'processes', value: PROCESS_LIMIT, unit: 'processes', via: 'ulimit -u (RLIMIT_NPROC) in the run\'s user namespace' });
  }
  unlimited.push('memory and CPU share across all of the run\'s processes: the process runtime sets no cgroup');
  return { script: lines.join('\n'), limits, unlimited };
}

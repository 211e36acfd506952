import { describe, expect, it } from 'vitest';
import { PROCESS_LIMIT, planLimits } from './resource-limits.js';

const resources = { memoryMb: 2048, timeoutSeconds: 60, cpus: 1.5 };

describe('planLimits', () => {
  it('sets memory, CPU time (time limit × CPUs asked) and processes in a user namespace of its own', () => {
    const plan = planLimits(resources, { processes: true, root: false, platform: 'linux' });
    expect(plan.script.split('\n')).toEqual(['ulimit -d 2097152 2>/dev/null', 'ulimit -t 120 2>/dev/null', `ulimit -u ${PROCESS_LIMIT} 2>/dev/null`]);
    expect(plan.limits.map((l) => [l.resource, l.value])).toEqual([['memory', 2048], ['cpu-time', 120], ['processes', PROCESS_LIMIT]]);
  });

  it('says what it cannot limit: processes outside a user namespace or for root, memory on macOS', () => {
    expect(planLimits(resources, { processes: false, root: false, platform: 'linux' }).unlimited[0]).toMatch(/^processes: the limit would count every process of the user/);
    expect(planLimits(resources, { processes: true, root: true, platform: 'linux' }).unlimited[0]).toMatch(/^processes: the worker runs as root/);
    const mac = planLimits(resources, { processes: false, root: false, platform: 'darwin' });
    expect(mac.script).not.toContain('ulimit -d');
    expect(mac.unlimited).toContain('memory: macOS does not enforce a data-size limit');
  });
});

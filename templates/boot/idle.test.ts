import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bash, removeBashRuns } from './bash-harness.js';

afterEach(removeBashRuns);

// The check itself is the bundle's (agents/worker/idle-check.test.ts); the boot installs its timer.
describe('idle check on workers', () => {
  it('runs the bundle\'s idle check as root every minute with the worker\'s state file, limit and instance id', () => {
    const run = bash('AWS_REGION=eu-west-1 install_idle_check /home/benchtop/state.json 15 i-0abc /usr/bin/node-22', {});
    expect(run.status).toBe(0);
    const service = readFileSync(join(run.dir, 'benchtop-idle.service'), 'utf8');
    expect(service).not.toContain('User=');
    expect(service).toContain('Environment=AWS_REGION=eu-west-1');
    expect(service).toContain('ExecStart=/usr/bin/node-22 /opt/benchtop/current/worker.mjs --idle-check /home/benchtop/state.json --idle-minutes 15 --worker-id i-0abc\n');
    expect(readFileSync(join(run.dir, 'benchtop-idle.timer'), 'utf8')).toBe('[Timer]\nOnCalendar=minutely\n[Install]\nWantedBy=timers.target\n');
  });

  it('is installed and started by the worker boot, and the agent told where its state file is', () => {
    const boot = readFileSync(join(__dirname, 'worker.sh'), 'utf8');
    expect(boot).toContain('install_idle_check "$home/state.json" "$IDLE_MINUTES" "$instance_id" "$node"');
    expect(boot).toContain('--state-file $home/state.json ');
    expect(boot).toMatch(/systemctl enable --now .*benchtop-idle\.timer/);
  });
});

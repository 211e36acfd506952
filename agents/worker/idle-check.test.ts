import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { idleCheck, type AutoScalingCli } from './idle-check.js';
import type { WorkerState } from './state-file.js';

// The instance's idle check against a recording stand-in for the AWS CLI.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NOW = new Date('2026-12-01T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

function setup(state: WorkerState | null, sizes = '2\t0') {
  const dir = mkdtempSync(join(tmpdir(), 'benchtop-idle-'));
  dirs.push(dir);
  const stateFile = join(dir, 'state.json');
  if (state) writeFileSync(stateFile, JSON.stringify(state));
  const calls: string[] = [];
  const aws: AutoScalingCli = async (args) => {
    calls.push(args.join(' '));
    if (args[0] === 'describe-auto-scaling-instances') return 'benchtop-cpu-asg\n';
    if (args[0] === 'describe-auto-scaling-groups') return `${sizes}\n`;
    return '';
  };
  const check = () => idleCheck({ stateFile, markFile: join(dir, 'root', 'idle-protected'), idleMinutes: 15, instanceId: 'i-0abc', aws, now: NOW });
  const changes = () => calls.filter((c) => !c.startsWith('describe'));
  return { stateFile, calls, changes, check };
}

const PROTECT = 'set-instance-protection --instance-ids i-0abc --auto-scaling-group-name benchtop-cpu-asg --protected-from-scale-in';
const UNPROTECT = 'set-instance-protection --instance-ids i-0abc --auto-scaling-group-name benchtop-cpu-asg --no-protected-from-scale-in';
const LEAVE = 'terminate-instance-in-auto-scaling-group --instance-id i-0abc --should-decrement-desired-capacity';

describe('idle check', () => {
  it('protects a busy worker once, then leaves it be while it stays busy', async () => {
    const t = setup({ running: 2, idleSince: null, updatedAt: minutesAgo(0.5) });
    expect(await t.check()).toBe('protected');
    expect(await t.check()).toBe('unchanged');
    expect(t.changes()).toEqual([PROTECT]);
  });

  it('removes the protection when the worker is idle, and stays while under the limit', async () => {
    const t = setup({ running: 1, idleSince: null, updatedAt: minutesAgo(0.5) });
    await t.check();
    writeFileSync(t.stateFile, JSON.stringify({ running: 0, idleSince: minutesAgo(14), updatedAt: minutesAgo(0.5) }));
    expect(await t.check()).toBe('no-protected');
    expect(await t.check()).toBe('unchanged');
    expect(t.changes()).toEqual([PROTECT, UNPROTECT]);
  });

  it('leaves the group, lowering the desired capacity, once idle for the limit', async () => {
    const t = setup({ running: 0, idleSince: minutesAgo(15), updatedAt: minutesAgo(0.5) });
    expect(await t.check()).toBe('leaving');
    expect(t.changes()).toEqual([LEAVE]);
  });

  it('stays when the group is at its MinSize', async () => {
    const t = setup({ running: 0, idleSince: minutesAgo(60), updatedAt: minutesAgo(0.5) }, '1\t1');
    expect(await t.check()).toBe('at MinSize');
    expect(t.changes()).toEqual([]);
  });

  it('counts a stale state (a dead agent) as not busy, idle since it last spoke', async () => {
    const t = setup({ running: 1, idleSince: null, updatedAt: minutesAgo(4) });
    await t.check();
    writeFileSync(t.stateFile, JSON.stringify({ running: 1, idleSince: null, updatedAt: minutesAgo(6) }));
    expect(await t.check()).toBe('no-protected');
    writeFileSync(t.stateFile, JSON.stringify({ running: 1, idleSince: null, updatedAt: minutesAgo(16) }));
    expect(await t.check()).toBe('leaving');
    expect(t.changes()).toEqual([PROTECT, UNPROTECT, LEAVE]);
  });

  it('without a state file is not busy and does not leave', async () => {
    const t = setup(null);
    expect(await t.check()).toBe('unchanged');
    expect(t.calls).toEqual([]);
  });

  it('runs from the worker command line with the AWS CLI on PATH', () => {
    const t = setup({ running: 1, idleSince: null, updatedAt: new Date().toISOString() });
    const bin = join(t.stateFile, '..', 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho "$*" >>"${join(bin, 'calls')}"\n[ "$2" = describe-auto-scaling-instances ] && echo benchtop-cpu-asg\nexit 0\n`);
    chmodSync(join(bin, 'aws'), 0o755);
    // tsx compiles the worker's imports first: as long as worker-entry.test.ts allows on a loaded machine.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'agents/worker/main.ts', '--idle-check', t.stateFile, '--idle-minutes', '15', '--worker-id', 'i-0abc', '--idle-mark', join(bin, 'idle-protected')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('idle check: protected\n');
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toContain(`autoscaling ${PROTECT}`);
    expect(readFileSync(join(bin, 'idle-protected'), 'utf8')).toBe('true\n');
  }, 90_000);
});

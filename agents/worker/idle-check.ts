import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { idleDecision } from './idle-decision.js';
import { workerState, type WorkerState } from './state-file.js';

/** Runs `aws autoscaling ARGS...` and answers its stdout. */
export type AutoScalingCli = (args: string[]) => Promise<string>;

const run = promisify(execFile);

/**
 * Where root remembers the protection it last set. Not beside the state file: that folder belongs
 * to the worker's user, and root writing there would follow a link the user put in its place.
 */
export const DEFAULT_PROTECTION_MARK = '/run/benchtop/idle-protected';
export const awsCli: AutoScalingCli = async (args) => (await run('aws', ['autoscaling', ...args], { encoding: 'utf8' })).stdout;

async function readState(path: string): Promise<WorkerState | null> {
  // Missing or unreadable reads as no state: not busy.
  try {
    const parsed = workerState.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * One pass of the instance's idle check (benchtop-idle.timer, as root, every minute): reads the
 * agent's state file and does what idleDecision says with the AWS CLI. The mark file remembers
 * the protection last set, so it is set only when it changes. Leaving lowers the desired capacity
 * (nothing replaces the worker), never below the group's MinSize; the drain hook then runs as for
 * any scale-in. Answers what it did.
 */
export async function idleCheck(options: { stateFile: string; idleMinutes: number; instanceId: string; markFile?: string; aws?: AutoScalingCli; now?: Date }): Promise<string> {
  const aws = options.aws ?? awsCli;
  const mark = options.markFile ?? DEFAULT_PROTECTION_MARK;
  const isProtected = (await readFile(mark, 'utf8').catch(() => 'false')).trim() === 'true';
  const decision = idleDecision(await readState(options.stateFile), isProtected, options.now ?? new Date(), options.idleMinutes);
  if (!decision) return 'unchanged';
  const id = options.instanceId;
  const group = (await aws(['describe-auto-scaling-instances', '--instance-ids', id, '--query', 'AutoScalingInstances[0].AutoScalingGroupName', '--output', 'text'])).trim();
  if (decision !== 'leave') {
    await aws(['set-instance-protection', '--instance-ids', id, '--auto-scaling-group-name', group, `--${decision}-from-scale-in`]);
    await mkdir(dirname(mark), { recursive: true, mode: 0o755 });
    await writeFile(mark, `${decision === 'protected'}\n`);
    return decision;
  }
  const [desired, min] = (await aws(['describe-auto-scaling-groups', '--auto-scaling-group-names', group, '--query', 'AutoScalingGroups[0].[DesiredCapacity,MinSize]', '--output', 'text'])).trim().split(/\s+/).map(Number);
  if (!(desired! > min!)) return 'at MinSize';
  await aws(['terminate-instance-in-auto-scaling-group', '--instance-id', id, '--should-decrement-desired-capacity']);
  return 'leaving';
}

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FINISHED_STATES, type Run } from '../../common/protocol/index.js';
import { shellCapsule, startFaultSandbox, waitFor, type FaultSandbox } from './fault-test-support.js';

const RUNS = 50;
// At most 10, so that the sandbox's restart backoff (doubling on each quick death of a worker) keeps up.
const MAX_KILLS = 10;
let platform: FaultSandbox;

beforeAll(async () => {
  platform = await startFaultSandbox('crash', 2);
}, 120_000);
afterAll(() => platform?.dispose(), 60_000);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

it('kill -9 of workers at random points: every run succeeds exactly once with its one result', async () => {
  const { client, sandbox } = platform;
  const capsule = await shellCapsule(client, 'crash test', 'sleep "$PARAM_sleep"\necho "$PARAM_index" > /results/out.txt\necho "attempt $BENCHTOP_ATTEMPT done"\n');
  const ids: string[] = [];
  for (let index = 0; index < RUNS; index += 1) {
    const sleep = (0.05 + ((index * 7) % 4) * 0.05).toFixed(2);
    const run = await client.createRun({ capsuleId: capsule.id, parameters: { index, sleep } }, { idempotencyKey: `crash-${index}` });
    ids.push(run.id);
  }

  // Whenever a run has finished since the last kill, wait a random moment and kill -9 a worker,
  // never one busy with a run that already lost a worker (three losses fail a run, by design).
  // Every finish, not every second one: a loaded machine's poll (50 reads) sees several at once,
  // and with two the kills ran out (8 or 9 of 10 here, 6 needed) before the runs did.
  let kills = 0;
  let finishedAtLastKill = 0;
  let runs: Run[] = [];
  await waitFor('all runs to finish', async () => {
    runs = await Promise.all(ids.map((id) => client.getRun(id)));
    const finished = runs.filter((r) => FINISHED_STATES.includes(r.state)).length;
    if (finished === RUNS) return true;
    if (kills < MAX_KILLS && finished > finishedAtLastKill) {
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      const busy = await Promise.all(ids.map((id) => client.getRun(id)));
      const retried = new Set(busy.filter((r) => (r.state === 'leased' || r.state === 'running') && r.attempts > 1).map((r) => r.workerId));
      const candidates = sandbox.pids().workers.filter((w) => !retried.has(w.workerId));
      const victim = candidates[Math.floor(Math.random() * candidates.length)];
      if (victim) {
        process.kill(victim.pid, 'SIGKILL');
        kills += 1;
        finishedAtLastKill = finished;
      }
    }
    return false;
  }, 100_000, 150);

  expect(kills).toBeGreaterThanOrEqual(6);
  expect(runs.filter((r) => r.state !== 'succeeded').map((r) => ({ state: r.state, attempts: r.attempts, error: r.error }))).toEqual([]);
  // Some kills landed mid-run: those runs were leased again and still finished once.
  expect(runs.filter((r) => r.attempts > 1).length).toBeGreaterThan(0);
  for (const [index, run] of runs.entries()) {
    expect(run.results).toEqual({ files: [{ path: 'out.txt', size: String(index).length + 1, sha256: sha256(`${index}\n`) }] });
  }
  const listed = await client.listRuns({ capsuleId: capsule.id, limit: 500 });
  expect(listed.items).toHaveLength(RUNS);
}, 120_000);

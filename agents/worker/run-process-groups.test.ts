import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processesWith, waitFor } from './fault-test-support.js';
import { PROCESS_GROUP_FILE, processStartTime, recordProcessGroup, sweepStaleRunGroups } from './run-process-groups.js';

let runs: string;
const markers: string[] = [];
beforeEach(() => {
  runs = mkdtempSync(join(tmpdir(), 'benchtop-run-groups-'));
});
afterEach(() => {
  for (const m of markers.splice(0)) for (const pid of processesWith(m)) process.kill(pid, 'SIGKILL');
  rmSync(runs, { recursive: true, force: true });
});

/** A process group as a run leaves it: a leader and a child of its, both sleeping. */
async function staleRun(folder: string): Promise<{ pgid: number; marker: string }> {
  const marker = `.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  markers.push(marker);
  const leader = spawn('sh', ['-c', `sleep 600${marker} & exec sleep 601${marker}`], { detached: true, stdio: 'ignore' });
  leader.unref();
  await waitFor('the stale run to start', async () => processesWith(marker).length === 2);
  mkdirSync(join(runs, folder));
  return { pgid: leader.pid as number, marker };
}

describe('stale run process groups', () => {
  it('are killed, leader and children, when the record matches the live leader', async () => {
    const { pgid, marker } = await staleRun('run_a.1');
    recordProcessGroup(join(runs, 'run_a.1'), pgid);
    expect(sweepStaleRunGroups(runs, () => undefined)).toEqual([pgid]);
    await waitFor('the stale run to end', async () => processesWith(marker).length === 0, 10_000);
  });

  it('are left alone when the group number now belongs to a process started at another time', async () => {
    const { pgid, marker } = await staleRun('run_b.1');
    expect(processStartTime(pgid)).not.toBeNull();
    writeFileSync(join(runs, 'run_b.1', PROCESS_GROUP_FILE), JSON.stringify({ pgid, startTime: '1' }));
    mkdirSync(join(runs, 'run_c.1'));
    writeFileSync(join(runs, 'run_c.1', PROCESS_GROUP_FILE), 'not json');
    expect(sweepStaleRunGroups(runs, () => undefined)).toEqual([]);
    expect(processesWith(marker)).toHaveLength(2);
  });

  it('finds nothing to do without a runs folder', () => {
    expect(sweepStaleRunGroups(join(runs, 'absent'), () => undefined)).toEqual([]);
  });
});

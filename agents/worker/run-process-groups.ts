import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** In each run folder: the run's process group, so that the next worker on this folder can end it. */
export const PROCESS_GROUP_FILE = 'process-group.json';

const record = z.object({ pgid: z.number().int().min(2), startTime: z.string().nullable() });

/**
 * When the process started, as the kernel says: field 22 of /proc/<pid>/stat on Linux, `ps`
 * elsewhere. Null when the process does not exist (or cannot be asked about).
 */
export function processStartTime(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
    } catch {
      return null;
    }
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

export function recordProcessGroup(runFolder: string, pgid: number): void {
  writeFileSync(join(runFolder, PROCESS_GROUP_FILE), JSON.stringify({ pgid, startTime: processStartTime(pgid) }));
}

/**
 * Kills the process groups of runs a dead worker left in `runsDir`. A group number is reused only
 * once no process of the group is left, so a group whose leader has exited is still the run's;
 * a leader that is alive must have the recorded start time, else the number now belongs to
 * another program and is left alone. Answers the groups it signalled.
 */
export function sweepStaleRunGroups(runsDir: string, log: (message: string) => void): number[] {
  let folders: string[];
  try {
    folders = readdirSync(runsDir);
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const folder of folders) {
    let parsed;
    try {
      parsed = record.safeParse(JSON.parse(readFileSync(join(runsDir, folder, PROCESS_GROUP_FILE), 'utf8')));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const { pgid, startTime } = parsed.data;
    const now = processStartTime(pgid);
    if (now !== null && now !== startTime) continue;
    try {
      process.kill(-pgid, 'SIGKILL');
      killed.push(pgid);
      log(`killed process group ${pgid} of the stale run folder ${folder}`);
    } catch {
      // Nothing of that run is left.
    }
  }
  return killed;
}

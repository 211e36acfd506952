import type { Run } from '../../../common/protocol/index.js';

/** "1.2 KB", "3.4 MB": sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "4 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** How long a run has taken: from start (or creation while waiting) to its end, or to now. */
export function runDuration(run: Pick<Run, 'createdAt' | 'startedAt' | 'finishedAt'>, now = Date.now()): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return end - Date.parse(run.startedAt);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatCost(usd: number | null): string {
  if (usd === null) return '—';
  return usd < 0.01 ? '< $0.01' : `$${usd.toFixed(2)}`;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 8);
}

export const STATE_TONE: Record<Run['state'], string> = {
  queued: 'neutral',
  leased: 'accent',
  running: 'accent',
  succeeded: 'success',
  failed: 'danger',
  cancelled: 'neutral',
};

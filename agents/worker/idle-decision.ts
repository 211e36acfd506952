import type { WorkerState } from './state-file.js';

/** What the instance's idle check (idle-check.ts, run by the boot's benchtop-idle.timer) does next; null: nothing. */
export type IdleDecision = 'protected' | 'no-protected' | 'leave' | null;

// The agent refreshes its state every minute: one this old is a dead agent's.
const STALE_MS = 5 * 60_000;

/**
 * Busy: protected from scale-in. Idle: not protected, and once idle for `idleMinutes` it leaves
 * (idle-check.ts keeps it when the group is at its MinSize). A stale state is not busy, idle since it
 * was last written; no state at all is not busy and never leaves (the boot-failure trap and the
 * group's idle alarm cover that worker). Protection is changed only when it differs from `isProtected`.
 */
export function idleDecision(state: WorkerState | null, isProtected: boolean, now: Date, idleMinutes: number): IdleDecision {
  const stale = state !== null && now.getTime() - Date.parse(state.updatedAt) > STALE_MS;
  const busy = state !== null && !stale && state.running > 0;
  if (busy !== isProtected) return busy ? 'protected' : 'no-protected';
  if (busy || state === null) return null;
  const since = Date.parse((stale ? state.idleSince ?? state.updatedAt : state.idleSince) ?? '');
  return now.getTime() - since >= idleMinutes * 60_000 ? 'leave' : null;
}

// What a CloudFormation stack status means for the app. Pure.

export type StatusKind = 'in-progress' | 'succeeded' | 'rolled-back' | 'failed' | 'review';

export function statusKind(status: string): StatusKind {
  if (status === 'REVIEW_IN_PROGRESS') return 'review';
  if (status.endsWith('_IN_PROGRESS')) return 'in-progress';
  if (status.endsWith('_FAILED')) return 'failed';
  if (status.includes('ROLLBACK')) return 'rolled-back';
  if (status.endsWith('_COMPLETE')) return 'succeeded';
  return 'failed';
}

/** A status where nothing more will happen until someone acts. */
export function isFinal(status: string): boolean {
  const kind = statusKind(status);
  return kind !== 'in-progress';
}

/** `deploy` exits 0 only here: a *_COMPLETE that is not a rollback. */
export function isSuccess(status: string): boolean {
  return statusKind(status) === 'succeeded';
}

/** A resource-level status after which that resource will not change again in this operation. */
export function isResourceDone(status: string): boolean {
  return /_(COMPLETE|FAILED|SKIPPED)$/.test(status);
}

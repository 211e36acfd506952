import type { z } from 'zod';
import type { createRunRequest, DatasetPin } from '../../common/protocol/runs.js';
import type { User } from '../../common/protocol/users.js';
import type { Services } from './context.js';
import type { RunRow } from './run-record.js';

const ownership = (row: RunRow) => ({ id: row.id, userId: row.user_id, capsuleId: row.capsule_id });

/** The run's row once `user` may read it (403 naming the capsule's owner otherwise). */
export function readableRun(s: Services, user: User, id: string): RunRow {
  const row = s.runs.row(id);
  s.access.requireRunRead(user, ownership(row));
  return row;
}

/** The run's row once `user` may cancel, re-run or open a terminal into it (its owner, a PI, an admin). */
export function manageableRun(s: Services, user: User, id: string, action: string): RunRow {
  const row = s.runs.row(id);
  s.access.requireRunManage(user, ownership(row), action);
  return row;
}

/** A run may be launched by whoever may read its capsule and every dataset it mounts. */
export function requireLaunch(s: Services, user: User, body: z.output<typeof createRunRequest>): void {
  s.access.require(user, 'capsule', body.capsuleId, 'read');
  for (const d of body.datasets) s.access.require(user, 'dataset', d.datasetId, 'read');
}

/** A re-run reads what its run read: `user` must still be able to read its capsule and every dataset it mounts. */
export function requireRelaunch(s: Services, user: User, row: RunRow): void {
  s.access.require(user, 'capsule', row.capsule_id, 'read');
  for (const d of JSON.parse(row.datasets) as DatasetPin[]) s.access.require(user, 'dataset', d.datasetId, 'read');
}
